import { UsageError } from '../../core/errors.js';
import { basicProxyAuthorization } from './basic-auth.js';
import { openConnectTunnel } from './connect-handshake.js';
import { createTunnelTransport } from './tunnel-transport.js';
import type { Transport, TransportOptions } from './transport.js';

/**
 * CONNECT tunnels (RFC 9110 §9.3.6): each connection of the pool is TCP to the proxy, a
 * `CONNECT host:port` answered 2xx, then TLS with the origin inside the tunnel when the origin is
 * https (end to end: the proxy sees only ciphertext). Tunnels stay open and are reused like any
 * keep-alive connection; only the request that opened one reports its setup phases.
 */
export function createConnectTunnelTransport(options: TransportOptions): Transport {
  const { origin, proxy, timeouts } = options;
  if (proxy?.kind !== 'http') throw new UsageError('proxy', 'connect needs an http:// proxy');
  const authorization = proxy.auth === undefined ? undefined : basicProxyAuthorization(proxy.auth);
  return createTunnelTransport(options, 'connect', proxy, (socket, hop) => openConnectTunnel(socket, origin, authorization, timeouts.handshakeMs, hop));
}
