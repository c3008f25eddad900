/**
 * Why a request failed: a closed union (docs/architecture.md: error causes are not free strings). Reports key
 * `errors` by these. Extend here, and in CHANGELOG.md with the schema version, when a cause is added.
 */
export const ERROR_CAUSES = [
  /** TCP connect to the proxy refused, unreachable, or DNS failure for the proxy host. */
  'proxy_unreachable',
  /** The proxy itself said no: HTTP 4xx/5xx not from the origin, SOCKS5 REP≠0, CONNECT ≠ 2xx. */
  'proxy_refused',
  /** HTTP 407 or SOCKS5 authentication failure. */
  'proxy_auth',
  /** TLS handshake with the origin (inside a tunnel or direct) failed. */
  'tls',
  /** No phase-specific timeout applied; the overall request deadline passed. */
  'timeout',
  'timeout_connect',
  'timeout_handshake',
  'timeout_ttfb',
  'timeout_idle',
  'timeout_total',
  /** The connection was reset or closed before the response was complete. */
  'reset',
  /** The origin answered with a non-2xx status. */
  'http_status',
  /** The body was wrong, truncated or too long, or an upload digest did not match. */
  'integrity',
  /** The harness could not open a socket (EMFILE, EADDRNOTAVAIL): a client limit, not the proxy's. */
  'harness_limit',
  'other',
] as const;

/** One cause of failure. */
export type ErrorCause = (typeof ERROR_CAUSES)[number];

/** Type guard for values read from files or messages. */
export function isErrorCause(value: unknown): value is ErrorCause {
  return typeof value === 'string' && (ERROR_CAUSES as readonly string[]).includes(value);
}
