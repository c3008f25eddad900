import { connect as netConnect, isIP, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { checkServerIdentity, connect as tlsConnect, type PeerCertificate, type SecureContext, type TLSSocket } from 'node:tls';
import { MOCK_TARGET_TLS_NAME } from '../../core/origin-wire/origin-paths.js';
import type { Duplex } from 'node:stream';
import type { buildConnector } from 'undici';
import type { OriginAddress } from '../../core/request.js';
import type { TransportOptions } from './transport.js';
import { setupFailure } from './classify-error.js';
import { TransportFailure } from './transport-failure.js';
import { recordFreshSocket, type SetupTimings } from './socket-tracker.js';
import { targetSecureContext } from './target-trust.js';

/**
 * The pieces every transport's connect function is made of: a timed TCP connect, a timed TLS
 * handshake (possibly over a tunnel), and the glue that turns a setup into an undici connector
 * which records the timings for the request that will use the connection (socket-tracker.ts).
 * These run once per connection, not per request, so they may use promises and closures.
 */

/** A host and TCP port. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** Formats `host:port`, bracketing IPv6 literals, for details and CONNECT targets. */
export function authorityOf(target: HostPort): string {
  return `${isIP(target.host) === 6 ? `[${target.host}]` : target.host}:${target.port}`;
}

/** The origin as a URL origin (`https://127.0.0.1:8443`), what undici keys a pool by. */
export function originUrl(origin: OriginAddress): string {
  return `${origin.protocol}://${authorityOf(origin)}`;
}

/** Microseconds since `startMs` (a `performance.now()` reading). */
export function elapsedUs(startMs: number): number {
  return Math.round((performance.now() - startMs) * 1000);
}

/** Same as undici's default connector: notice dead peers on long-idle keep-alive connections. */
const TCP_KEEPALIVE_DELAY_MS = 60_000;

/**
 * Opens TCP to `target` within `timeoutMs` (else `timeout_connect`), with Nagle off (a benchmark
 * must not wait for delayed ACKs of its own small writes). Resolves with the socket and the connect
 * time in µs; rejects with a classified {@link TransportFailure}. `hop` names the target in details.
 */
export function connectTcp(target: HostPort, timeoutMs: number, hop: string): Promise<{ socket: Socket; connectUs: number }> {
  const startMs = performance.now();
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: target.host, port: target.port, noDelay: true, keepAlive: true, keepAliveInitialDelay: TCP_KEEPALIVE_DELAY_MS });
    const timer = setTimeout(() => socket.destroy(new TransportFailure('timeout_connect', `no TCP connection to ${hop} within ${timeoutMs} ms`)), timeoutMs);
    const onError = (err: Error): void => {
      clearTimeout(timer);
      reject(setupFailure(err, 'tcp', hop));
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      resolve({ socket, connectUs: elapsedUs(startMs) });
    });
  });
}

/** What a TLS handshake with the origin needs. */
export interface TlsTarget extends HostPort {
  /** PEM of the CA that signed the origin's certificate; the system store when absent. */
  readonly caPem?: string;
  /**
   * A user's own target with `--target-ca`: the system store plus the user's CAs (target-trust.ts),
   * checked against the target's own name like the system store alone.
   */
  readonly secureContext?: SecureContext;
}

/**
 * Remembers the origin's last TLS session so a new connection resumes it, as undici's own
 * connector and every browser do; otherwise each new tunnel would pay a full handshake.
 */
export class TlsSessionCache {
  /** The last session ticket the origin gave, or undefined before the first handshake. */
  session: Buffer | undefined;
}

/**
 * Runs the TLS handshake with `target` over `socket` (a TCP socket to the origin, or a tunnel
 * through a proxy) within `timeoutMs` (else `timeout_handshake`). Resolves with the TLS socket
 * and the handshake time in µs; rejects with a classified {@link TransportFailure}.
 */
export function startTls(socket: Duplex, target: TlsTarget, timeoutMs: number, sessions: TlsSessionCache): Promise<{ socket: TLSSocket; tlsUs: number }> {
  const startMs = performance.now();
  const hop = `origin ${authorityOf(target)}`;
  return new Promise((resolve, reject) => {
    // SNI carries names only (RFC 6066 §3); for an IP literal `host` still drives the certificate
    // check against the IP SAN. With the mock targets' own CA, the name their certificate is issued
    // for is checked instead of the address dialled (MOCK_TARGET_TLS_NAME).
    const mockTarget = target.caPem !== undefined;
    const servername = mockTarget ? MOCK_TARGET_TLS_NAME : isIP(target.host) === 0 ? target.host : undefined;
    const tlsSocket = tlsConnect({
      socket, host: target.host, servername, ALPNProtocols: ['http/1.1'], session: sessions.session,
      ...(target.secureContext !== undefined ? { secureContext: target.secureContext } : { ca: target.caPem }),
      ...(mockTarget ? { checkServerIdentity: (_host: string, cert: PeerCertificate) => checkServerIdentity(MOCK_TARGET_TLS_NAME, cert) } : {}),
    });
    tlsSocket.on('session', (session: Buffer) => {
      sessions.session = session;
    });
    const timer = setTimeout(() => tlsSocket.destroy(new TransportFailure('timeout_handshake', `no TLS handshake with ${hop} within ${timeoutMs} ms`)), timeoutMs);
    const onError = (err: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(setupFailure(err, 'tls', hop));
    };
    tlsSocket.once('error', onError);
    tlsSocket.once('secureConnect', () => {
      clearTimeout(timer);
      tlsSocket.off('error', onError);
      resolve({ socket: tlsSocket, tlsUs: elapsedUs(startMs) });
    });
  });
}

/** A connection ready for HTTP/1.1, with how long each of its setup phases took. */
export interface EstablishedConnection {
  readonly socket: Duplex;
  readonly timings: SetupTimings;
}

/** How to speak to the origin at the far end of a connection. */
export interface OriginEnd {
  readonly origin: OriginAddress;
  /** PEM of the CA of an https origin's certificate. */
  readonly caPem?: string;
  /** A user's target with `--target-ca`: the system store and the user's CAs. */
  readonly secureContext?: SecureContext;
  /** Limit on the TLS handshake, ms. */
  readonly handshakeMs: number;
  readonly sessions: TlsSessionCache;
}

/** The origin end of a transport's connections, with a TLS session cache of its own. */
export function originEndOf(options: TransportOptions): OriginEnd {
  return {
    origin: options.origin,
    caPem: options.originCaPem,
    ...(options.originExtraCaPem !== undefined ? { secureContext: targetSecureContext(options.originExtraCaPem) } : {}),
    handshakeMs: options.timeouts.handshakeMs,
    sessions: new TlsSessionCache(),
  };
}

/**
 * Finishes a connection whose TCP (and proxy) setup is done: TLS with the origin when it is
 * https, nothing more when it is http. `connectUs` and `proxyHandshakeUs` are the phases so far.
 */
export async function establish(socket: Socket, end: OriginEnd, connectUs: number, proxyHandshakeUs: number): Promise<EstablishedConnection> {
  if (end.origin.protocol === 'http') return { socket, timings: { connectUs, proxyHandshakeUs, tlsUs: -1 } };
  const secure = await startTls(socket, { ...end.origin, caPem: end.caPem, ...(end.secureContext ? { secureContext: end.secureContext } : {}) }, end.handshakeMs, end.sessions);
  return { socket: secure.socket, timings: { connectUs, proxyHandshakeUs, tlsUs: secure.tlsUs } };
}

/** A proxy's tunnel request on a fresh TCP connection (CONNECT or SOCKS5); resolves its duration, µs. */
export type TunnelHandshake = (socket: Socket, hop: string) => Promise<number>;

/**
 * One connection's whole setup, as every transport and the many-connections hold phase do it: TCP
 * to the first hop, the proxy's tunnel handshake when there is one, then TLS with the origin when it
 * is https. A failure at any step destroys the socket and rejects with its classified cause.
 */
export function tunnelOpener(firstHop: HostPort, connectMs: number, hop: string, end: OriginEnd, handshake?: TunnelHandshake): () => Promise<EstablishedConnection> {
  return async () => {
    const tcp = await connectTcp(firstHop, connectMs, hop);
    try {
      const proxyHandshakeUs = handshake === undefined ? -1 : await handshake(tcp.socket, hop);
      return await establish(tcp.socket, end, tcp.connectUs, proxyHandshakeUs);
    } catch (err) {
      tcp.socket.destroy(); // whichever step failed, the connection is of no further use
      throw err;
    }
  };
}

/**
 * Turns `open` (one connection's whole setup) into an undici connector: the socket it yields is
 * recorded as fresh with its timings, and its failure (already a {@link TransportFailure}) fails
 * the request that waited for it.
 */
export function connectorFrom(open: () => Promise<EstablishedConnection>): buildConnector.connector {
  return (_options, callback) => {
    open().then(
      ({ socket, timings }) => {
        recordFreshSocket(socket, timings);
        callback(null, socket as Socket);
      },
      (err: unknown) => callback(err instanceof Error ? err : new TransportFailure('other', String(err)), null),
    );
  };
}
