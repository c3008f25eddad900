import type { ProxyCredentials } from '../../core/proxy-url.js';

/**
 * The `Proxy-Authorization` value for HTTP Basic (RFC 7617 §2, RFC 9110 §11.7.2): `Basic ` and the
 * base64 of `user:password` in UTF-8. Built once per transport, never per request.
 */
export function basicProxyAuthorization(credentials: ProxyCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`;
}
