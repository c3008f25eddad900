import type { ErrorCause } from './error-cause.js';
import type { MessageTally } from './exchange.js';

/**
 * The words of one request that every room shares: where the origin is, what is asked of it, what
 * the body must be, the phase limits, and the outcome a transport reports and the recorder counts.
 * The transports' own seam (`Transport`) lives with them in harness/transports/transport.ts.
 */

/** Where a mock origin listens. */
export interface OriginAddress {
  readonly protocol: 'http' | 'https';
  readonly host: string;
  readonly port: number;
}

/** What the response body must be. */
export type BodyExpectation =
  /** Exactly the deterministic body of `bytes` bytes for `seed` (see deterministic-body.ts). */
  | { readonly kind: 'deterministic'; readonly bytes: number; readonly seed: number }
  /** The origin's JSON answer to an upload: `{ bytes, sha256 }` of what was sent. */
  | { readonly kind: 'upload-digest'; readonly bytes: number; readonly sha256Hex: string }
  /** A body of the user's own target: as many bytes as `Content-Length` says (a chunked body: counted). */
  | { readonly kind: 'length' }
  /** The same, and the body's SHA-256 (hex) must be `sha256Hex`; hashed as it streams, never held. */
  | { readonly kind: 'sha256'; readonly sha256Hex: string };

/**
 * One request kind, prepared once before the run and reused for every request of that kind, so
 * nothing is built per request but the outcome.
 */
export interface PreparedRequest {
  /** The report's `byKind` key. */
  readonly kind: string;
  readonly method: 'GET' | 'POST';
  readonly origin: OriginAddress;
  /** Origin-form path with query, e.g. `/bytes/1024?seed=7`. */
  readonly path: string;
  /** Extra request headers, flat `[name, value, …]` (a user target's `authorization`), or none. */
  readonly headers?: readonly string[];
  /** Deterministic upload body (seeded like the downloads), or none. */
  readonly upload?: { readonly bytes: number; readonly seed: number };
  readonly expect: BodyExpectation;
}

/** Per-phase limits, in milliseconds. Each produces its own `timeout_*` cause. */
export interface PhaseTimeouts {
  /** TCP connect to the proxy (or origin, for direct). */
  readonly connectMs: number;
  /** CONNECT reply or SOCKS5 negotiation, and the TLS handshake inside the tunnel. */
  readonly handshakeMs: number;
  /** From the request being written on a connection to its response headers. */
  readonly ttfbMs: number;
  /** Longest silence between the response headers and body chunks. */
  readonly idleMs: number;
  /** The whole request, from being handed to the transport to the last verified byte. */
  readonly totalMs: number;
}

/** What became of one request. All durations in microseconds; -1 where the phase did not happen. */
export interface RequestOutcome {
  readonly ok: boolean;
  /** Why it failed; undefined when ok. */
  readonly cause?: ErrorCause;
  /** A short human detail for failures (e.g. `CONNECT answered 403`). Never holds credentials. */
  readonly detail?: string;
  /** HTTP status of the final response, 0 when none arrived. */
  readonly statusCode: number;
  /** From the request being handed to the transport until the response headers. */
  readonly ttfbUs: number;
  /** From the request being handed to the transport until the last body byte was verified, or the failure. */
  readonly totalUs: number;
  /** Response body bytes received (verified or not). */
  readonly bytesIn: number;
  /** Request body bytes sent. */
  readonly bytesOut: number;
  /** Whether this request opened its connection (and tunnel), reused one, or never got one. */
  readonly connection: 'new' | 'reused' | 'none';
  /** Setup phases, present only when `connection` is `new`. */
  readonly connectUs: number;
  readonly proxyHandshakeUs: number;
  readonly tlsUs: number;
  /** True when a reused connection was found closed and the request was re-sent once (docs/measurement.md §7). */
  readonly staleRetried: boolean;
  /**
   * The origin's own service time as its 2xx response stated it (`server-timing: origin;dur=…`,
   * which the mock origins send); -1 when the response carried none (a real origin, a proxy that
   * dropped the header) or no 2xx response arrived.
   */
  readonly originUs: number;
  /**
   * An exchange's messages (core/exchange.ts): present only for the stream operations
   * (tcp-echo, websocket, udp-echo; tcp-bulk has none). Their round trips went to the RttSink.
   */
  readonly messages?: MessageTally;
}
