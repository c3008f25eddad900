import type { Duplex } from 'node:stream';
import type { Protocol } from '../../core/scenario.js';
import type { ProxyEndpoint } from '../../core/proxy-url.js';
import { basicProxyAuthorization } from './basic-auth.js';
import { openConnectTunnel } from './connect-handshake.js';
import { authorityOf, TlsSessionCache, tunnelOpener, type HostPort, type OriginEnd, type TunnelHandshake } from './connection-setup.js';
import type { SetupTimings } from './socket-tracker.js';
import { socks5Handshake } from './socks5-handshake.js';
import type { OriginAddress, PhaseTimeouts } from '../../core/request.js';

/** Where a tunnel (or plain connection) goes and how it is opened: the route of a held connection. */
export interface TunnelRoute {
  /** `connect`/`socks5`: a tunnel to the origin; `http-forward`: TCP to the proxy; `direct`: TCP to the origin. */
  readonly protocol: Protocol;
  /** The proxy; absent only for `direct`. */
  readonly proxy?: ProxyEndpoint;
  readonly origin: OriginAddress;
  /** PEM of the CA of an https origin's certificate. */
  readonly originCaPem?: string;
  readonly timeouts: PhaseTimeouts;
}

/** One connection, open and ready for HTTP/1.1 with the origin (or the proxy, in forward mode), with its setup timings. */
export interface OpenedTunnel {
  readonly socket: Duplex;
  readonly timings: SetupTimings;
}

/**
 * Makes the function that opens one connection along `route` — the transports' public way to open
 * a tunnel without sending a request (the hold engine holds them). It uses the transports' own
 * setup steps (connection-setup.ts, connect-handshake.ts, socks5-handshake.ts), so such a
 * connection is set up, timed and classified exactly as a request's would be. It rejects with a classified
 * TransportFailure and leaves no socket behind. One TLS session cache is shared, so tunnels after
 * the first resume the session as the transports' do.
 */
export function tunnelOpenerFor(route: TunnelRoute): () => Promise<OpenedTunnel> {
  const firstHop: HostPort = route.protocol === 'direct' || !route.proxy ? route.origin : route.proxy;
  const hop = `${route.protocol === 'direct' ? 'origin' : 'proxy'} ${authorityOf(firstHop)}`;
  const handshake = tunnelHandshake(route);
  // In forward mode the connection ends at the proxy: there is no TLS with the origin on it.
  const end: OriginEnd = {
    origin: route.protocol === 'http-forward' ? { ...route.origin, protocol: 'http' } : route.origin,
    ...(route.originCaPem !== undefined ? { caPem: route.originCaPem } : {}),
    handshakeMs: route.timeouts.handshakeMs,
    sessions: new TlsSessionCache(),
  };
  return tunnelOpener(firstHop, route.timeouts.connectMs, hop, end, handshake);
}

/** The tunnel request for `route` (CONNECT or SOCKS5), or none for a plain connection. */
function tunnelHandshake(route: TunnelRoute): TunnelHandshake | undefined {
  const { proxy, origin, timeouts } = route;
  if (route.protocol === 'connect' && proxy?.kind === 'http') {
    const authorization = proxy.auth === undefined ? undefined : basicProxyAuthorization(proxy.auth);
    return (socket, hop) => openConnectTunnel(socket, origin, authorization, timeouts.handshakeMs, hop);
  }
  if (route.protocol === 'socks5' && proxy?.kind === 'socks5') {
    // The mock origins listen on IP literals, so socks5:// and socks5h:// send the same address.
    return (socket, hop) => socks5Handshake(socket, proxy, proxy.auth, origin, timeouts.handshakeMs, hop);
  }
  return undefined;
}
