import { createServer } from 'node:net';
import type { ProxyServerOptions, RunningProxyServer } from './http-proxy.js';
import { Socks5Session, type Socks5Context } from './socks5-session.js';
import { listenTracked } from './tracked-server.js';

/** Tunables of the SOCKS5 proxy. */
export const DEFAULTS = {
  /** Listen address. */
  host: '127.0.0.1',
  /** Longest TCP connect to a destination, in ms (then REP 0x04 host unreachable). */
  upstreamConnectTimeoutMs: 10_000,
  /** Longest a client may take from accept to its CONNECT request, in ms, before it is dropped. */
  handshakeTimeoutMs: 30_000,
} as const;

/**
 * Starts the reference SOCKS5 server (RFC 1928: CONNECT and UDP ASSOCIATE). Methods: 0x00 without
 * `auth`, only 0x02 (RFC 1929) with it. Replies: 0x01 a UDP relay that cannot bind, 0x02 destination
 * not on the allowlist, 0x04 unresolvable or unreachable, 0x05 refused, 0x07 BIND or an unknown
 * command, 0x08 unknown address type; on success BND.ADDR/PORT are the outgoing socket's (CONNECT)
 * or the UDP relay's (UDP ASSOCIATE, socks5-udp-relay.ts: allowlisted destinations only, FRAG ≠ 0
 * dropped, closed with the control connection). Tunnels relay with Nagle off and pass half-closes on.
 */
export function startSocks5Proxy(options: ProxyServerOptions): Promise<RunningProxyServer> {
  const context: Socks5Context = {
    allow: options.allow,
    ...(options.auth ? { auth: options.auth } : {}),
    upstreamConnectTimeoutMs: DEFAULTS.upstreamConnectTimeoutMs,
    handshakeTimeoutMs: DEFAULTS.handshakeTimeoutMs,
  };
  const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    new Socks5Session(socket, context);
  });
  return listenTracked(server, options.host ?? DEFAULTS.host, options.port ?? 0);
}
