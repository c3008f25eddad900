import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIP, isIPv6 } from 'node:net';
import type { Allowlist } from './allowlist.js';
import { resolveAllowedDestination, type LookupAll, type ResolvedDestination } from './resolve-destination.js';
import { plainAddress } from './socks5-address.js';
import { encodeUdpHeader, parseUdpDatagram } from './socks5-udp-header.js';

/** How to open the UDP relay of one UDP ASSOCIATE (RFC 1928 §7). */
export interface UdpRelayOptions {
  /** The proxy's own address the client reached over TCP: the relay binds there (BND.ADDR). */
  readonly bindHost: string;
  /** The client's IP, the TCP control connection's peer: datagrams from any other IP are dropped. */
  readonly clientHost: string;
  /**
   * The port the client said it sends from (the request's DST.PORT), or 0 when it did not know:
   * then the port of its first well-formed datagram is kept, and later ones from another port are dropped.
   */
  readonly clientPort: number;
  /** The only destinations datagrams are forwarded to (the proxy is never an open relay). */
  readonly allow: Allowlist;
  /** Name lookup, injectable for tests; default the system's. */
  readonly lookupAll?: LookupAll;
}

/** A bound UDP relay. */
export interface RunningUdpRelay {
  /** Where the client must send its datagrams: BND.ADDR and BND.PORT of the reply. */
  readonly address: string;
  readonly port: number;
  /** Closes every socket of the relay; idempotent. */
  close(): void;
}

/** Names looked up per association at most; past that, lookups are not kept. */
const MAX_CACHED_NAMES = 256;

/**
 * Opens the relay of one association: a socket facing the client, bound on the proxy's address,
 * and one socket per IP family facing the destinations. A datagram from the client is checked
 * (source IP and port, RSV, FRAG = 0 — fragments are dropped, as most servers do —, the
 * destination on the allowlist) and its data forwarded; a reply from a destination the client sent
 * to is wrapped in the §7 header and sent to the client. Everything else is dropped silently, as
 * §7 says. Rejects when the client-facing socket cannot bind (the session then answers REP 1).
 */
export async function openUdpRelay(options: UdpRelayOptions): Promise<RunningUdpRelay> {
  const facing = createSocket({ type: isIPv6(options.bindHost) ? 'udp6' : 'udp4' });
  await new Promise<void>((resolve, reject) => {
    facing.once('error', reject);
    facing.bind(0, options.bindHost, () => {
      facing.off('error', reject);
      resolve();
    });
  }).catch((err: unknown) => {
    facing.close();
    throw err;
  });
  const relay = new UdpRelay(facing, options);
  return { address: options.bindHost, port: facing.address().port, close: () => relay.close() };
}

class UdpRelay {
  private clientPort: number | undefined;
  private readonly clientHost: string;
  /** Per family, the socket that talks to destinations, made on first use. */
  private readonly outward = new Map<'udp4' | 'udp6', Socket>();
  /** `address|port` of every destination the client sent to: only these may answer. */
  private readonly contacted = new Set<string>();
  private readonly names = new Map<string, Promise<ResolvedDestination>>();
  private closed = false;

  constructor(
    private readonly facing: Socket,
    private readonly options: UdpRelayOptions,
  ) {
    this.clientHost = plainAddress(options.clientHost);
    this.clientPort = options.clientPort === 0 ? undefined : options.clientPort;
    facing.on('message', this.fromClient);
    // ICMP errors and failed sends are lost datagrams, which UDP allows; they must not crash the proxy.
    facing.on('error', () => {});
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.facing.close();
    for (const socket of this.outward.values()) socket.close();
  }

  private readonly fromClient = (message: Buffer, from: RemoteInfo): void => {
    if (plainAddress(from.address) !== this.clientHost) return;
    if (this.clientPort !== undefined && from.port !== this.clientPort) return;
    const datagram = parseUdpDatagram(message);
    if (datagram.kind === 'malformed') return;
    this.clientPort ??= from.port;
    if (datagram.frag !== 0) return;
    const { host, port, data } = datagram;
    if (isIP(host) !== 0) {
      // An IP literal is decided at once, so datagrams to literal destinations keep their order.
      if (this.options.allow.allows(host, port)) this.forward(host, port, data);
      return;
    }
    void this.lookup(host, port).then((destination) => {
      if (destination.ok) this.forward(destination.address, port, data);
    });
  };

  private readonly fromDestination = (message: Buffer, from: RemoteInfo): void => {
    if (this.closed || this.clientPort === undefined) return;
    if (!this.contacted.has(`${plainAddress(from.address)}|${from.port}`)) return;
    this.facing.send([encodeUdpHeader(from.address, from.port), message], this.clientPort, this.clientHost, () => {});
  };

  private forward(address: string, port: number, data: Buffer): void {
    if (this.closed) return;
    const plain = plainAddress(address);
    this.contacted.add(`${plain}|${port}`);
    this.outwardFor(plain).send(data, port, plain, () => {});
  }

  /** The destination-facing socket of `address`'s family; unbound until its first send (the OS picks the port). */
  private outwardFor(address: string): Socket {
    const type = isIPv6(address) ? 'udp6' : 'udp4';
    let socket = this.outward.get(type);
    if (socket === undefined) {
      socket = createSocket({ type });
      socket.on('message', this.fromDestination);
      socket.on('error', () => {});
      this.outward.set(type, socket);
    }
    return socket;
  }

  /** Resolves a name once per association and checks it against the allowlist (resolve-destination.ts). */
  private lookup(host: string, port: number): Promise<ResolvedDestination> {
    const key = `${host.toLowerCase()}|${port}`;
    const cached = this.names.get(key);
    if (cached !== undefined) return cached;
    const resolved = resolveAllowedDestination(this.options.allow, host, port, this.options.lookupAll);
    if (this.names.size < MAX_CACHED_NAMES) this.names.set(key, resolved);
    return resolved;
  }
}
