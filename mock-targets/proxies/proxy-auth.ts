import { createHash, timingSafeEqual } from 'node:crypto';
import type { ProxyCredentials } from '../../core/proxy-url.js';

/**
 * True when `username` and `password` (raw bytes, as RFC 1929 carries them, or UTF-8 from HTTP
 * Basic) are the configured credentials. Compared through fixed-length digests in constant time,
 * so neither the length nor a prefix of the secret leaks through response timing.
 */
export function credentialsMatch(expected: ProxyCredentials, username: Buffer | string, password: Buffer | string): boolean {
  const userOk = timingSafeEqual(digest(expected.username), digest(username));
  const passOk = timingSafeEqual(digest(expected.password), digest(password));
  return userOk && passOk;
}

/**
 * True when a `Proxy-Authorization` header value carries the expected HTTP Basic credentials
 * (RFC 7617: scheme case-insensitive, `user:password` base64-encoded, split at the first colon).
 */
export function basicAuthorizationMatches(expected: ProxyCredentials, header: string | undefined): boolean {
  const match = header === undefined ? null : /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (match?.[1] === undefined) return false;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  return credentialsMatch(expected, decoded.slice(0, colon), decoded.slice(colon + 1));
}

/** The `Proxy-Authenticate` challenge sent with every 407. */
export const BASIC_CHALLENGE = 'Basic realm="proxybench"';

function digest(value: Buffer | string): Buffer {
  return createHash('sha256').update(value).digest();
}
