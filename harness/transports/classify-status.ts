import type { IncomingHttpHeaders } from 'node:http';
import { ORIGIN_TIMING_HEADER, parseOriginTimingMs } from '../../core/origin-wire/origin-paths.js';
import type { ClassifiedError } from './classify-error.js';

/**
 * Who can have produced a response: through a tunnel (CONNECT, SOCKS5) or directly, only the
 * origin speaks HTTP to us; in forward mode the proxy answers for itself as well, and when the
 * origin is a user's own target (`--target`) its answers carry no stamp to tell them apart by.
 */
export type ResponseSource = 'origin' | 'proxy-or-origin' | 'proxy-or-unstamped-origin';

/**
 * Classifies a non-2xx response. The mock origin stamps every response it makes with
 * `server-timing: origin;dur=…` (origin-paths.ts), so in forward mode an error without that
 * stamp was made by the proxy (a 502, a 403 from its ACL, a 407): the proxy refused, the origin
 * never answered. With the stamp, the origin answered and the status is the origin's.
 */
export function classifyStatus(statusCode: number, headers: IncomingHttpHeaders, source: ResponseSource): ClassifiedError {
  if (source === 'proxy-or-unstamped-origin') return classifyUnstamped(statusCode);
  if (source === 'origin' || parseOriginTimingMs(headers[ORIGIN_TIMING_HEADER]) !== undefined) {
    return { cause: 'http_status', detail: `origin answered ${statusCode}` };
  }
  if (statusCode === 407) return { cause: 'proxy_auth', detail: 'proxy answered 407 (authentication required)' };
  return { cause: 'proxy_refused', detail: `proxy answered ${statusCode}` };
}

/**
 * A forward request to a user's own target: nothing tells the target's status from the proxy's,
 * so the status decides (docs/measurement.md). 407 is only ever a proxy's; 502 and 504 are the
 * gateway errors a proxy answers when it got no answer upstream (RFC 9110 §15.6.3, §15.6.5);
 * any other status counts as the target's.
 */
function classifyUnstamped(statusCode: number): ClassifiedError {
  if (statusCode === 407) return { cause: 'proxy_auth', detail: 'proxy answered 407 (authentication required)' };
  if (statusCode === 502 || statusCode === 504) return { cause: 'proxy_refused', detail: `proxy answered ${statusCode} (no answer from the target)` };
  return { cause: 'http_status', detail: `target answered ${statusCode} (or the proxy did: a target's answers carry no origin stamp)` };
}
