import type { ErrorCause } from '../../core/error-cause.js';
import { TransportFailure } from './transport-failure.js';

/**
 * Maps the errors that reach a transport (Node socket errors, undici's `UND_ERR_*`, our own
 * {@link TransportFailure}) onto the report's closed set of causes. Classification runs only on
 * failures, so it may allocate.
 */

/** A classified failure: the report's cause and a short detail without credentials. */
export interface ClassifiedError {
  readonly cause: ErrorCause;
  readonly detail: string;
}

/** Where a connection was when setting it up failed. */
export type SetupPhase = 'tcp' | 'proxy-handshake' | 'tls';

/** The client ran out of sockets, ports or buffers: our limit, not the proxy's. */
const HARNESS_LIMIT_CODES = new Set(['EMFILE', 'ENFILE', 'EADDRNOTAVAIL', 'ENOBUFS']);

/** The first hop could not be reached at all. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT']);

/** The peer closed or reset an established connection. */
const CLOSED_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH']);

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * True when `err` says the connection was closed or reset by the other side: the errors that a
 * request sent on a stale keep-alive connection meets (docs/measurement.md §7).
 */
export function isConnectionClosedError(err: unknown): boolean {
  return CLOSED_CODES.has(codeOf(err));
}

/**
 * Classifies an error raised while opening a connection, in phase `phase`, to `hop` (e.g.
 * `proxy 127.0.0.1:3128`). Returns a {@link TransportFailure} to hand to undici's connect callback.
 */
export function setupFailure(err: unknown, phase: SetupPhase, hop: string): TransportFailure {
  if (err instanceof TransportFailure) return err;
  const code = codeOf(err);
  if (HARNESS_LIMIT_CODES.has(code)) return new TransportFailure('harness_limit', `${code} opening a connection to ${hop}`);
  if (phase === 'tcp') {
    if (UNREACHABLE_CODES.has(code)) return new TransportFailure('proxy_unreachable', `${hop}: ${code}`);
    return new TransportFailure('other', `connecting to ${hop}: ${code || messageOf(err)}`);
  }
  if (CLOSED_CODES.has(code)) {
    const during = phase === 'tls' ? 'the TLS handshake' : 'the proxy handshake';
    return new TransportFailure('reset', `${hop} closed the connection during ${during}${code ? ` (${code})` : ''}`);
  }
  if (phase === 'tls') return new TransportFailure('tls', `TLS with the origin failed: ${code || messageOf(err)}`);
  return new TransportFailure('other', `proxy handshake with ${hop}: ${code || messageOf(err)}`);
}

/**
 * Classifies an error that ended a request after it was dispatched (undici's errors, or a
 * {@link TransportFailure} from the connect function or from an abort of ours).
 */
export function requestFailure(err: unknown): ClassifiedError {
  if (err instanceof TransportFailure) return { cause: err.failureCause, detail: err.detail };
  const code = codeOf(err);
  switch (code) {
    case 'UND_ERR_HEADERS_TIMEOUT':
      return { cause: 'timeout_ttfb', detail: 'no response headers within the ttfb limit' };
    case 'UND_ERR_BODY_TIMEOUT':
      return { cause: 'timeout_idle', detail: 'body stalled longer than the idle limit' };
    case 'UND_ERR_CONNECT_TIMEOUT':
      return { cause: 'timeout_connect', detail: 'connect timed out' };
    case 'UND_ERR_DESTROYED':
    case 'UND_ERR_CLOSED':
      return { cause: 'other', detail: 'the transport was closed while the request was pending' };
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
      // The connection ended before the framing said the body was complete: the transport broke,
      // the bytes that did arrive were not (yet) wrong.
      return { cause: 'reset', detail: 'connection closed before the body was complete' };
  }
  if (code.startsWith('HPE_')) {
    return { cause: 'integrity', detail: `response is not valid HTTP/1.1 (${code})` };
  }
  if (HARNESS_LIMIT_CODES.has(code)) return { cause: 'harness_limit', detail: code };
  if (CLOSED_CODES.has(code)) return { cause: 'reset', detail: `connection closed (${code}: ${messageOf(err)})` };
  return { cause: 'other', detail: code ? `${code}: ${messageOf(err)}` : messageOf(err) };
}
