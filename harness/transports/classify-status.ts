import type { IncomingHttpHeaders } from 'node:http';
import { ORIGIN_TIMING_HEADER, parseOriginTimingMs } from '../../core/origin-wire/origin-paths.js';
import type { ClassifiedError } from './classify-error.js';

/**
 * Who can have produced a response: through a tunnel (CONNECT, SOCKS5) or directly, only the
 * origin speaks HTTP to us; in forward mode the proxy answers for itself as well.
 */
export type ResponseSource = 'origin' | 'proxy-or-origin';

/**
 * Classifies a non-2xx response. The mock origin stamps every response it makes with
 * `server-timing: origin;dur=…` (origin-paths.ts), so in forward mode an error without that
 * stamp was made by the proxy (a 502, a 403 from its ACL, a 407): the proxy refused, the origin
 * never answered. With the stamp, the origin answered and the status is the origin's.
 */
export function classifyStatus(statusCode: number, headers: IncomingHttpHeaders, source: ResponseSource): ClassifiedError {
  if (source === 'origin' || parseOriginTimingMs(headers[ORIGIN_TIMING_HEADER]) !== undefined) {
    return { cause: 'http_status', detail: `origin answered ${statusCode}` };
  }
  if (statusCode === 407) return { cause: 'proxy_auth', detail: 'proxy answered 407 (authentication required)' };
  return { cause: 'proxy_refused', detail: `proxy answered ${statusCode}` };
}
