import type { Socket } from 'node:net';
import type { Protocol } from '../../scenarios/scenario.js';
import { authorityOf, connectTcp, connectorFrom, establish, originEndOf, originUrl, type HostPort } from './connection-setup.js';
import { originFormTarget, PoolTransport } from './pool-transport.js';
import type { Transport, TransportOptions } from './transport.js';

/**
 * Asks the first hop, on a fresh TCP socket to it, for a path to the origin (CONNECT, SOCKS5) and
 * resolves with how long that took in µs; rejects with a classified TransportFailure.
 */
export type TunnelHandshake = (socket: Socket, hop: string) => Promise<number>;

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
    connect: connectorFrom(async () => {
      const tcp = await connectTcp(firstHop, options.timeouts.connectMs, hop);
      try {
        const proxyHandshakeUs = handshake === undefined ? -1 : await handshake(tcp.socket, hop);
        return await establish(tcp.socket, end, tcp.connectUs, proxyHandshakeUs);
      } catch (err) {
        tcp.socket.destroy(); // whichever step failed, the connection is of no further use
        throw err;
      }
    }),
    responseSource: 'origin',
    target: originFormTarget,
  });
}
