import type { Socket } from 'node:net';
import type { ProxyCredentials } from '../../core/proxy-url.js';
import type { Allowlist } from './allowlist.js';
import { closeWith } from './close-with.js';
import { connectUpstream } from './connect-upstream.js';
import { credentialsMatch } from './proxy-auth.js';
import { resolveAllowedDestination } from './resolve-destination.js';
import { plainAddress } from './socks5-address.js';
import { openUdpRelay, type RunningUdpRelay } from './socks5-udp-relay.js';
import { spliceSockets } from './splice-sockets.js';
import {
  AUTH_METHOD,
  REPLY,
  encodeAuthStatus,
  encodeMethodChoice,
  encodeReply,
  parseGreeting,
  parseRequest,
  parseUserPass,
} from './socks5-protocol.js';

/** What every session of one SOCKS5 server shares. */
export interface Socks5Context {
  readonly allow: Allowlist;
  readonly auth?: ProxyCredentials;
  /** Longest TCP connect to a destination, in ms (then REP 0x04). */
  readonly upstreamConnectTimeoutMs: number;
  /** Longest a client may take over its handshake, in ms, before it is dropped. */
  readonly handshakeTimeoutMs: number;
}

/** Where a session is: the handshake states read bytes; `connecting`, `associating` and `done` read none. */
type State = 'greeting' | 'auth' | 'request' | 'connecting' | 'associating' | 'done';

/** Errno codes of a TCP connect that mean "no route to that host" rather than "port closed". */
const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EADDRNOTAVAIL']);

/**
 * One client of the SOCKS5 server, as a state machine over its bytes: greeting → (RFC 1929
 * auth) → request → connecting → relaying (CONNECT), or → associating → a UDP relay held open by
 * the control connection (UDP ASSOCIATE). Bytes are gathered until a message is whole, so a
 * handshake split across TCP segments (or several messages in one segment) reads the same.
 */
export class Socks5Session {
  private state: State = 'greeting';
  private pending: Buffer = Buffer.alloc(0);

  constructor(
    private readonly client: Socket,
    private readonly context: Socks5Context,
  ) {
    client.setTimeout(context.handshakeTimeoutMs, () => client.destroy());
    client.on('data', this.onData);
    client.on('error', () => client.destroy());
  }

  private readonly onData = (chunk: Buffer): void => {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    try {
      while (this.step());
    } catch {
      // Not SOCKS5 at all: RFC 1928 gives no reply to send, so the connection is dropped.
      this.finish();
      this.client.destroy();
    }
  };

  /** Handles one whole message if the buffer holds one; true when another may follow. */
  private step(): boolean {
    switch (this.state) {
      case 'greeting': {
        const greeting = parseGreeting(this.pending);
        if (greeting === undefined) return false;
        this.consume(greeting.bytes);
        const wanted = this.context.auth === undefined ? AUTH_METHOD.none : AUTH_METHOD.userPass;
        const method = greeting.value.includes(wanted) ? wanted : AUTH_METHOD.noAcceptable;
        if (method === AUTH_METHOD.noAcceptable) return this.refuse(encodeMethodChoice(method));
        this.client.write(encodeMethodChoice(method));
        this.state = method === AUTH_METHOD.userPass ? 'auth' : 'request';
        return true;
      }
      case 'auth': {
        const credentials = parseUserPass(this.pending);
        if (credentials === undefined || this.context.auth === undefined) return false;
        this.consume(credentials.bytes);
        const { username, password } = credentials.value;
        if (!credentialsMatch(this.context.auth, username, password)) return this.refuse(encodeAuthStatus(false));
        this.client.write(encodeAuthStatus(true));
        this.state = 'request';
        return true;
      }
      case 'request': {
        const request = parseRequest(this.pending);
        if (request === undefined) return false;
        this.consume(request.bytes);
        const asked = request.value;
        if (asked.kind === 'udp-associate') {
          this.state = 'associating';
          this.client.off('data', this.onData);
          void this.associate(asked.port);
          return false;
        }
        if (asked.kind !== 'connect') return this.refuse(encodeReply(asked.reply));
        this.state = 'connecting';
        this.client.off('data', this.onData);
        this.client.pause();
        void this.connect(asked.host, asked.port);
        return false;
      }
      default:
        return false;
    }
  }

  private consume(bytes: number): void {
    this.pending = this.pending.subarray(bytes);
  }

  /** Sends a final (failure) message and closes; RFC 1928 §6 wants the close soon after. */
  private refuse(message: Buffer): false {
    this.finish();
    closeWith(this.client, message);
    return false;
  }

  private finish(): void {
    this.state = 'done';
    this.client.off('data', this.onData);
  }

  private async associate(clientPort: number): Promise<void> {
    const relay = await openAssociation(this.client, this.context, clientPort);
    if (relay === undefined) {
      this.refuse(encodeReply(REPLY.generalFailure));
      return;
    }
    if (this.client.destroyed) {
      relay.close();
      return;
    }
    this.state = 'done';
    this.pending = Buffer.alloc(0);
    this.client.setTimeout(0);
    this.client.once('close', () => relay.close());
    // The client's FIN ends the association: answer with ours so the socket closes (it is half-open capable).
    this.client.once('end', () => this.client.end());
    this.client.on('data', () => {});
    this.client.write(encodeReply(REPLY.succeeded, relay.address, relay.port));
  }

  private async connect(host: string, port: number): Promise<void> {
    const destination = await resolveAllowedDestination(this.context.allow, host, port);
    if (!destination.ok) {
      this.refuse(encodeReply(destination.reason === 'not-allowed' ? REPLY.notAllowed : REPLY.hostUnreachable));
      return;
    }
    let upstream: Socket;
    try {
      upstream = await connectUpstream(destination.address, port, this.context.upstreamConnectTimeoutMs);
    } catch (err) {
      this.refuse(encodeReply(replyForConnectError(err)));
      return;
    }
    if (this.client.destroyed) {
      upstream.destroy();
      return;
    }
    this.state = 'done';
    this.client.setTimeout(0);
    this.client.write(encodeReply(REPLY.succeeded, upstream.localAddress, upstream.localPort));
    // Bytes a client sent before the reply (optimistic data) go first, in order.
    if (this.pending.length > 0) upstream.write(this.pending);
    this.pending = Buffer.alloc(0);
    spliceSockets(this.client, upstream);
  }
}

/**
 * RFC 1928 §7: opens the UDP relay of a UDP ASSOCIATE and replies with its address. The client's
 * IP is the control connection's peer (the request's DST.ADDR is not trusted); `clientPort` is the
 * request's DST.PORT (0: learnt from the first datagram). The association lives as long as the
 * control connection, which carries nothing more: its bytes are dropped, its end closes the relay.
 */
async function openAssociation(client: Socket, context: Socks5Context, clientPort: number): Promise<RunningUdpRelay | undefined> {
  const bindHost = client.localAddress;
  const clientHost = client.remoteAddress;
  if (bindHost === undefined || clientHost === undefined) return undefined;
  try {
    return await openUdpRelay({ bindHost: plainAddress(bindHost), clientHost, clientPort, allow: context.allow });
  } catch {
    return undefined;
  }
}

function replyForConnectError(err: unknown): number {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (code === 'ECONNREFUSED') return REPLY.connectionRefused;
  return UNREACHABLE.has(code) ? REPLY.hostUnreachable : REPLY.generalFailure;
}
