import { createTunnelTransport } from './tunnel-transport.js';
import type { Transport, TransportOptions } from './transport.js';

/**
 * The baseline: straight to the origin, no proxy, so a report can show what the proxy adds.
 * `connectUs` is the TCP connect to the origin, `tlsUs` its TLS handshake for https origins;
 * there is no proxy handshake.
 */
export function createDirectTransport(options: TransportOptions): Transport {
  return createTunnelTransport(options, 'direct', options.origin);
}
