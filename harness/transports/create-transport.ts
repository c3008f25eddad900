import { createConnectTunnelTransport } from './connect-tunnel.js';
import { createDirectTransport } from './direct.js';
import { createHttpForwardTransport } from './http-forward.js';
import { createSocks5Transport } from './socks5.js';
import type { Transport, TransportOptions } from './transport.js';

/**
 * The transport for `options.protocol`. Throws a UsageError when the proxy does not fit the
 * protocol (an http:// proxy for socks5, none for a proxied protocol, an https origin in forward
 * mode); once built, a transport's `execute` never throws.
 */
export function createTransport(options: TransportOptions): Transport {
  switch (options.protocol) {
    case 'direct':
      return createDirectTransport(options);
    case 'http-forward':
      return createHttpForwardTransport(options);
    case 'connect':
      return createConnectTunnelTransport(options);
    case 'socks5':
      return createSocks5Transport(options);
  }
}
