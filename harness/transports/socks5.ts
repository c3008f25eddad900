import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { UsageError } from '../../core/errors.js';
import { socks5Handshake } from './socks5-handshake.js';
import { TransportFailure } from './transport-failure.js';
import { createTunnelTransport } from './tunnel-transport.js';
import type { Transport, TransportOptions } from './transport.js';

/**
 * SOCKS5 (RFC 1928): each connection of the pool is TCP to the proxy, a SOCKS5 negotiation
 * (socks5-handshake.ts), then TLS with the origin when it is https. With `socks5h://` the origin's
 * name goes to the proxy unresolved (ATYP 3); with `socks5://` the harness resolves it first and
 * sends the address, as curl does.
 */
export function createSocks5Transport(options: TransportOptions): Transport {
  const { origin, proxy, timeouts } = options;
  if (proxy?.kind !== 'socks5') throw new UsageError('proxy', 'socks5 needs a socks5:// or socks5h:// proxy');
  const destinationHost = async (): Promise<string> => {
    if (proxy.resolveAtProxy || isIP(origin.host) !== 0) return origin.host;
    try {
      return (await lookup(origin.host)).address;
    } catch (err) {
      throw new TransportFailure('other', `cannot resolve origin ${origin.host}: ${(err as { code?: string }).code ?? String(err)}`);
    }
  };
  return createTunnelTransport(options, 'socks5', proxy, async (socket, hop) => {
    // Resolved before the handshake's clock starts: name lookup is not part of any reported phase.
    const host = await destinationHost();
    return socks5Handshake(socket, proxy, proxy.auth, { host, port: origin.port }, timeouts.handshakeMs, hop);
  });
}
