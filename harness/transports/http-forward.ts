import { UsageError } from '../../core/errors.js';
import { basicProxyAuthorization } from './basic-auth.js';
import { authorityOf, connectTcp, connectorFrom, originUrl } from './connection-setup.js';
import { PoolTransport } from './pool-transport.js';
import type { Transport, TransportOptions } from './transport.js';

/**
 * HTTP forward proxying (RFC 9112 §3.2.2): a pool of connections to the proxy itself, each
 * request sent with an absolute-form target (`GET http://127.0.0.1:8080/bytes/1024?seed=1`), the
 * origin's authority in `Host` and `Proxy-Authorization: Basic …` when the proxy wants it. This is
 * what wrk and autocannon do by hand; undici's ProxyAgent in forward mode cost ~2.4× the CPU per
 * request and opened twice the connections asked for (docs/performance.md). A non-2xx answer without the
 * origin's server-timing stamp is the proxy's own (classify-status.ts).
 */
export function createHttpForwardTransport(options: TransportOptions): Transport {
  const { origin, proxy, timeouts } = options;
  if (proxy?.kind !== 'http') throw new UsageError('proxy', 'http-forward needs an http:// proxy');
  if (origin.protocol !== 'http') {
    throw new UsageError('origin', 'http-forward sends plain HTTP to the proxy; reach an https origin with the connect protocol');
  }
  const hop = `proxy ${authorityOf(proxy)}`;
  const originAuthority = authorityOf(origin);
  const originPrefix = `http://${originAuthority}`;
  const extraHeaders = proxy.auth === undefined ? [] : ['proxy-authorization', basicProxyAuthorization(proxy.auth)];
  return new PoolTransport(options, {
    protocol: 'http-forward',
    // Keyed by the origin although every connection goes to the proxy: undici then writes the
    // origin's Host header from a string it built once per connection, not from a header we would
    // pass (and it would validate) on every request.
    poolOrigin: originUrl(origin),
    connect: connectorFrom(async () => {
      const tcp = await connectTcp(proxy, timeouts.connectMs, hop);
      return { socket: tcp.socket, timings: { connectUs: tcp.connectUs, proxyHandshakeUs: -1, tlsUs: -1 } };
    }),
    responseSource: 'proxy-or-origin',
    target: (request) => ({ path: originPrefix + request.path, headers: extraHeaders }),
  });
}
