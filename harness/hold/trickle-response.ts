import type { IncomingHttpHeaders } from 'node:http';
import { BodyVerifier } from '../../core/origin-wire/deterministic-body.js';
import { downloadPath } from '../../core/origin-wire/origin-paths.js';
import { type ClassifiedError, classifyStatus, type ResponseSource, basicProxyAuthorization, authorityOf, originUrl, type TunnelRoute } from '../transports/index.js';

/** Largest response head a trickle reader takes before calling the answer broken. */
const MAX_HEAD_BYTES = 16 * 1024;
const STATUS_LINE = /^HTTP\/1\.[01] (\d{3})/;

/** The tiny request sent on every held connection in trickle mode, built once. */
export interface TrickleRequest {
  /** The whole request, head only (a GET has no body). */
  readonly bytes: Buffer;
  /** Seed and length of the deterministic body the origin must answer. */
  readonly seed: number;
  readonly bodyBytes: number;
  /** Who may have answered: only the origin through a tunnel or directly, the proxy too in forward mode. */
  readonly source: ResponseSource;
}

/**
 * `GET /bytes/<n>?seed=<s>` for `route`: origin-form inside a tunnel or directly, absolute-form
 * (with Proxy-Authorization when the proxy wants it) to a forward proxy (RFC 9112 §3.2).
 */
export function prepareTrickleRequest(route: TunnelRoute, bodyBytes: number, seed: number): TrickleRequest {
  const path = downloadPath(bodyBytes, seed);
  const forward = route.protocol === 'http-forward';
  const target = forward ? `${originUrl(route.origin)}${path}` : path;
  const auth = forward && route.proxy?.auth ? `Proxy-Authorization: ${basicProxyAuthorization(route.proxy.auth)}\r\n` : '';
  const head = `GET ${target} HTTP/1.1\r\nHost: ${authorityOf(route.origin)}\r\n${auth}\r\n`;
  return { bytes: Buffer.from(head, 'latin1'), seed, bodyBytes, source: forward ? 'proxy-or-origin' : 'origin' };
}

/** Where a response read stands after a chunk: more is needed, or it is done (ok or not). */
export type ReadProgress = { readonly done: false } | { readonly done: true; readonly failure?: ClassifiedError };

const MORE: ReadProgress = { done: false };
const OK: ReadProgress = { done: true };

/**
 * Reads one trickle response as it arrives: the head (status, Content-Length, server-timing), then
 * the body verified byte by byte against the deterministic body. Keeps the head (small) and an
 * offset, never the body. Status causes match the transports' (classify-status.ts).
 */
export class TrickleResponseReader {
  private head: Buffer | null = null;
  private verifier: BodyVerifier | undefined;
  /** HTTP status once the head is in, else 0. */
  statusCode = 0;

  constructor(private readonly request: TrickleRequest) {}

  /** True once the response head has arrived. */
  get headDone(): boolean {
    return this.statusCode !== 0;
  }

  /** Body bytes received so far. */
  get bodyBytesIn(): number {
    return this.verifier?.received ?? 0;
  }

  /** Takes the next chunk off the connection. */
  feed(chunk: Buffer): ReadProgress {
    if (this.verifier) return this.feedBody(chunk);
    this.head = this.head === null ? chunk : Buffer.concat([this.head, chunk]);
    const end = this.head.indexOf('\r\n\r\n');
    if (end < 0) return this.head.length > MAX_HEAD_BYTES ? fail('integrity', 'response head has no end') : MORE;
    const status = Number(STATUS_LINE.exec(this.head.toString('latin1', 0, end))?.[1] ?? 0);
    if (status === 0) return fail('integrity', 'response is not HTTP/1.1');
    this.statusCode = status;
    const headers = parseHeaders(this.head.toString('latin1', 0, end));
    const rest = this.head.subarray(end + 4);
    this.head = null;
    if (status < 200 || status > 299) return { done: true, failure: classifyStatus(status, headers, this.request.source) };
    const length = headers['content-length'];
    if (headers['transfer-encoding'] !== undefined || length === undefined) return fail('integrity', 'trickle response has no Content-Length');
    if (Number(length) !== this.request.bodyBytes) return fail('integrity', `Content-Length ${length}, expected ${this.request.bodyBytes}`);
    this.verifier = new BodyVerifier(this.request.seed, this.request.bodyBytes);
    return this.feedBody(rest);
  }

  /** The connection ended before the response was complete. */
  ended(): ClassifiedError {
    return { cause: 'reset', detail: this.headDone ? 'connection closed before the body was complete' : 'connection closed before any response' };
  }

  private feedBody(chunk: Buffer): ReadProgress {
    const verifier = this.verifier!;
    if (chunk.length > 0 && !verifier.update(chunk)) {
      return fail('integrity', verifier.received > this.request.bodyBytes ? 'body longer than Content-Length' : 'body differs from the deterministic body');
    }
    return verifier.received === this.request.bodyBytes ? OK : MORE;
  }
}

function fail(cause: ClassifiedError['cause'], detail: string): ReadProgress {
  return { done: true, failure: { cause, detail } };
}

/** The header fields a trickle reader needs, names lower-cased; a repeated field keeps every value. */
function parseHeaders(head: string): IncomingHttpHeaders {
  const headers: Record<string, string | string[]> = {};
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const previous = headers[name];
    headers[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  return headers as IncomingHttpHeaders;
}
