import type { Protocol } from '../../core/scenario.js';
import { authorityOf, connectorFrom, originEndOf, originUrl, tunnelOpener, type HostPort, type TunnelHandshake } from './connection-setup.js';
import { originFormTarget, PoolTransport } from './pool-transport.js';
import type { Transport, TransportOptions } from './transport.js';

/**
 * Asks the first hop, on a fresh TCP socket to it, for a path to the origin (CONNECT, SOCKS5) and
 * resolves with how long that took in µs; rejects with a classified TransportFailure.
 */
export type { TunnelHandshake };

/**
 * A transport whose connections carry HTTP end to end with the origin: TCP to `firstHop`, then
 * `handshake` when the first hop is a proxy (none for direct), then TLS with the origin when it
 * is https. Only the origin speaks HTTP on such a connection, so every status is the origin's.
 */
export function createTunnelTransport(options: TransportOptions, protocol: Protocol, firstHop: HostPort, handshake?: TunnelHandshake): Transport {
  const hop = `${protocol === 'direct' ? 'origin' : 'proxy'} ${authorityOf(firstHop)}`;
  const end = originEndOf(options);
  return new PoolTransport(options, {
    protocol,
    poolOrigin: originUrl(options.origin),
    connect: connectorFrom(tunnelOpener(firstHop, options.timeouts.connectMs, hop, end, handshake)),
    responseSource: 'origin',
    target: originFormTarget,
  });
}
