/**
 * The URL contract between the harness and the mock origin: the harness builds request targets
 * with the functions below, the origin reads them back with {@link parseOriginTarget}, and both
 * sides agree on the `server-timing` header the origin stamps on every response it makes.
 *
 * The origin parses every request with this module, so parsing is done with `indexOf` and
 * `charCodeAt` over the target string: no regex, no `URL` object, no substring per number.
 */

/** Path of the upload endpoint: answers `{"bytes":n,"sha256":"<hex>"}` for the body it read. */
export const ECHO_DIGEST_PATH = '/echo-digest';

const BYTES_PREFIX = '/bytes/';
const DELAY_PREFIX = '/delay/';

/** Target of a download of the deterministic body of `bytes` bytes for `seed`. */
export function downloadPath(bytes: number, seed: number): string {
  return `${BYTES_PREFIX}${bytes}?seed=${seed}`;
}

/**
 * Target of a download answered after `delayMs` milliseconds, body as {@link downloadPath}. With
 * `jitterMs` > 0 the origin waits `delayMs` plus a random share of `jitterMs` (uniform, drawn per
 * request): an origin whose own service time varies, as a real one's does.
 */
export function delayPath(delayMs: number, bytes: number, seed: number, jitterMs = 0): string {
  const jitter = jitterMs > 0 ? `&jitter=${jitterMs}` : '';
  return `${DELAY_PREFIX}${delayMs}?bytes=${bytes}&seed=${seed}${jitter}`;
}

/** Header the origin puts on every response it makes: `server-timing: origin;dur=<ms, 3 decimals>` */
export const ORIGIN_TIMING_HEADER = 'server-timing';

const ORIGIN_METRIC = 'origin';
const FAST_PREFIX = 'origin;dur=';

/** The `server-timing` value for an origin service time of `durMs` milliseconds. */
export function originTimingValue(durMs: number): string {
  return FAST_PREFIX + durMs.toFixed(3);
}

/** Parses the origin's service time (ms) out of a server-timing value; undefined if absent. */
export function parseOriginTimingMs(value: string | string[] | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    // A proxy may add its own server-timing line (RFC 9110 §5.3 lets it send the field twice).
    for (const line of value) {
      const ms = parseOriginTimingMs(line);
      if (ms !== undefined) return ms;
    }
    return undefined;
  }
  // Fast path: our own value, untouched by the proxy.
  if (value.startsWith(FAST_PREFIX)) {
    const ms = finiteOrUndefined(value.slice(FAST_PREFIX.length));
    if (ms !== undefined) return ms;
  }
  for (const metric of value.split(',')) {
    const params = metric.split(';');
    if (params[0]?.trim() !== ORIGIN_METRIC) continue;
    for (let i = 1; i < params.length; i++) {
      const [name, raw] = (params[i] ?? '').split('=', 2);
      // Server Timing §3: parameter values may be quoted strings.
      if (name?.trim() === 'dur' && raw !== undefined) return finiteOrUndefined(raw.trim().replace(/^"(.*)"$/, '$1'));
    }
  }
  return undefined;
}

/**
 * The origin's service time in whole microseconds, or -1 when the value has none: what the
 * transports read from every successful response (the millisecond parser's fast path takes the
 * origin's own value in ~0.1 µs).
 */
export function parseOriginTimingUs(value: string | string[] | undefined): number {
  const ms = parseOriginTimingMs(value);
  return ms === undefined ? -1 : Math.round(ms * 1000);
}

function finiteOrUndefined(text: string): number | undefined {
  if (text === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** Largest seed: the deterministic body takes seeds as unsigned 32-bit integers. */
export const MAX_SEED = 0xffff_ffff;
/** Longest delay: the most `setTimeout` honours (it fires at once for anything larger). */
export const MAX_DELAY_MS = 0x7fff_ffff;

/** What a request target asks of the origin, or why it cannot be served. */
export type OriginTarget =
  | { readonly kind: 'bytes'; readonly bytes: number; readonly seed: number }
  /** `jitterMs`, when present, is the most the origin may add at random to `delayMs`. */
  | { readonly kind: 'delay'; readonly delayMs: number; readonly bytes: number; readonly seed: number; readonly jitterMs?: number }
  | { readonly kind: 'echo-digest' }
  | { readonly kind: 'bad-number'; readonly detail: string }
  | { readonly kind: 'not-found' };

const NOT_FOUND: OriginTarget = { kind: 'not-found' };
const ECHO_DIGEST: OriginTarget = { kind: 'echo-digest' };

/**
 * Reads a request target (origin-form `/bytes/10?seed=1`, or absolute-form, which RFC 9112 §3.2.2
 * says a server must accept) into what it asks for. Numbers are plain decimal digits; missing
 * `seed` and `bytes` are 0; unknown query parameters are ignored.
 */
export function parseOriginTarget(target: string): OriginTarget {
  const pathStart = target.charCodeAt(0) === SLASH ? 0 : absolutePathStart(target);
  if (pathStart < 0) return NOT_FOUND;
  let queryStart = target.indexOf('?', pathStart);
  const pathEnd = queryStart < 0 ? target.length : queryStart;
  if (queryStart < 0) queryStart = target.length;
  if (target.startsWith(BYTES_PREFIX, pathStart)) {
    const bytes = readUint(target, pathStart + BYTES_PREFIX.length, pathEnd, Number.MAX_SAFE_INTEGER);
    const seed = queryUint(target, queryStart, 'seed', MAX_SEED);
    if (bytes < 0) return badNumber('/bytes/:n must be a whole number of bytes');
    if (seed < 0) return badNumber(`seed must be a whole number from 0 to ${MAX_SEED}`);
    return { kind: 'bytes', bytes, seed };
  }
  if (target.startsWith(DELAY_PREFIX, pathStart)) {
    const delayMs = readUint(target, pathStart + DELAY_PREFIX.length, pathEnd, MAX_DELAY_MS);
    const bytes = queryUint(target, queryStart, 'bytes', Number.MAX_SAFE_INTEGER);
    const seed = queryUint(target, queryStart, 'seed', MAX_SEED);
    const jitterMs = queryUint(target, queryStart, 'jitter', MAX_DELAY_MS);
    if (delayMs < 0) return badNumber(`/delay/:ms must be a whole number of ms up to ${MAX_DELAY_MS}`);
    if (bytes < 0) return badNumber('bytes must be a whole number');
    if (seed < 0) return badNumber(`seed must be a whole number from 0 to ${MAX_SEED}`);
    if (jitterMs < 0) return badNumber(`jitter must be a whole number of ms up to ${MAX_DELAY_MS}`);
    return jitterMs > 0 ? { kind: 'delay', delayMs, bytes, seed, jitterMs } : { kind: 'delay', delayMs, bytes, seed };
  }
  if (pathEnd - pathStart === ECHO_DIGEST_PATH.length && target.startsWith(ECHO_DIGEST_PATH, pathStart)) return ECHO_DIGEST;
  return NOT_FOUND;
}

function badNumber(detail: string): OriginTarget {
  return { kind: 'bad-number', detail };
}

const SLASH = 47;
const DIGIT_0 = 48;
const DIGIT_9 = 57;
const EQUALS = 61;

/** Index of the path in `http://host:port/path`, or -1 when there is none. */
function absolutePathStart(target: string): number {
  const authority = target.indexOf('//');
  if (authority < 0) return -1;
  return target.indexOf('/', authority + 2);
}

/** The decimal integer in `text[start, end)`, or -1 when it is empty, not all digits, or over `max`. */
function readUint(text: string, start: number, end: number, max: number): number {
  // No number over 16 digits is at most MAX_SAFE_INTEGER; the cap also bounds the loop.
  if (end <= start || end - start > 16) return -1;
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < DIGIT_0 || c > DIGIT_9) return -1;
    n = n * 10 + (c - DIGIT_0);
  }
  return n <= max ? n : -1;
}

/** Query parameter `name` (searched from the `?` at `queryStart`) as an integer; 0 if absent, -1 if bad. */
function queryUint(target: string, queryStart: number, name: string, max: number): number {
  let at = queryStart + 1;
  while (at < target.length) {
    let end = target.indexOf('&', at);
    if (end < 0) end = target.length;
    if (target.startsWith(name, at) && target.charCodeAt(at + name.length) === EQUALS) {
      return readUint(target, at + name.length + 1, end, max);
    }
    at = end + 1;
  }
  return 0;
}

/**
 * The name the mock targets' TLS certificate is issued for. A client that trusts the run's test CA
 * (and only then) checks the certificate against this name rather than the address it dialled, so
 * targets listening on another address (`--origin-host`, `proxybench targets --host`, a Service
 * name) verify as well as those on 127.0.0.1: trust comes from the per-run CA, not the system store.
 */
export const MOCK_TARGET_TLS_NAME = 'localhost';
