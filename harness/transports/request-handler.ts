import { performance } from 'node:perf_hooks';
import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { BodyVerifier } from '../../core/origin-wire/deterministic-body.js';
import { ORIGIN_TIMING_HEADER, parseOriginTimingUs } from '../../core/origin-wire/origin-paths.js';
import type { ErrorCause } from '../../core/error-cause.js';
import { isConnectionClosedError, requestFailure } from './classify-error.js';
import { classifyStatus, type ResponseSource } from './classify-status.js';
import { UploadDigestCheck } from './upload-digest-check.js';
import { TargetBodyCheck } from './target-body-check.js';
import { expectSocket, stopExpecting, takeFreshSetup, type SocketObserver } from './socket-tracker.js';
import { TransportFailure } from './transport-failure.js';
import type { PhaseTimeouts, PreparedRequest, RequestOutcome } from '../../core/request.js';

/** The limits a request's handler enforces itself, ms (connect and handshake are the connection's). */
export type RequestLimits = Pick<PhaseTimeouts, 'ttfbMs' | 'idleMs' | 'totalMs'>;

/** What a request's handler needs from the transport that dispatched it. */
export interface HandlerHost {
  /** Who may have answered a non-2xx: only the origin (tunnels, direct), or maybe the proxy (forward). */
  readonly responseSource: ResponseSource;
  readonly limits: RequestLimits;
  /** Re-sends `handler`'s request once on a new connection (docs/measurement.md §7); false if it cannot. */
  retryOnFreshConnection(handler: RequestHandler, request: PreparedRequest): boolean;
}

/**
 * Where the request is, for the phase limits: handed to the transport but not yet written on a
 * connection (only the total limit applies), written and awaiting the response headers, or
 * receiving the body.
 */
type RequestState = 'queued' | 'awaiting-headers' | 'body';

/**
 * The undici dispatch handler of one request: it times the phases, learns which connection the
 * request went on (socket-tracker.ts), verifies the body chunk by chunk as it arrives (never
 * holding it), enforces the phase limits, classifies failures and resolves the request's outcome
 * exactly once. Beside undici's own request objects and the promise, it is all the transport
 * allocates per request, with its BodyVerifier (or UploadDigestCheck) and the outcome; undici's
 * callbacks are its methods.
 *
 * The ttfb, idle and total limits share one timer, armed once for the earliest moment any of them
 * can expire and re-armed only when it fires early (a request slower than its shortest limit).
 * undici's own headers/body timeouts are off: they run on its coarse "fast timers" (0.5–1 s late),
 * and each request left two such timers alive until the next tick, which the garbage collector
 * promoted to the old generation by the ten thousand per second.
 */
export class RequestHandler implements Dispatcher.DispatchHandler, SocketObserver {
  private readonly startMs = performance.now();
  private controller: Dispatcher.DispatchController | null = null;
  private timer: NodeJS.Timeout | undefined;
  private state: RequestState = 'queued';
  /** When the request was written ('awaiting-headers') or last received anything ('body'), ms. */
  private stateSinceMs = 0;
  private done = false;
  /** The abort reason when we ended the request before undici gave us a controller. */
  private pendingAbort: Error | null = null;
  private responseStarted = false;
  private ttfbUs = -1;
  private statusCode = 0;
  private bytesIn = 0;
  private bytesOut = 0;
  private connection: RequestOutcome['connection'] = 'none';
  private connectUs = -1;
  private proxyHandshakeUs = -1;
  private tlsUs = -1;
  private staleRetried = false;
  private originUs = -1;
  /** Cause decided from the status line, reported once the (drained) body has ended. */
  private statusCause: ErrorCause | undefined;
  private statusDetail = '';
  private readonly verifier: BodyVerifier | null;
  private readonly digest: UploadDigestCheck | null;
  /** A user's own target (`--target`): length and, if given, SHA-256; its error statuses carry no origin stamp. */
  private readonly targetCheck: TargetBodyCheck | null;

  constructor(
    private readonly host: HandlerHost,
    private readonly request: PreparedRequest,
    private readonly resolve: (outcome: RequestOutcome) => void,
  ) {
    const expect = request.expect;
    this.verifier = expect.kind === 'deterministic' ? new BodyVerifier(expect.seed, expect.bytes) : null;
    this.digest = expect.kind === 'upload-digest' ? new UploadDigestCheck(expect.bytes, expect.sha256Hex) : null;
    this.targetCheck = expect.kind === 'length' || expect.kind === 'sha256' ? new TargetBodyCheck(expect.kind === 'sha256' ? expect.sha256Hex : undefined) : null;
    const { ttfbMs, idleMs, totalMs } = host.limits;
    // No phase can expire before the shortest limit has passed since now.
    this.timer = setTimeout(onLimitTimer, Math.min(ttfbMs, idleMs, totalMs), this);
  }

  /** Fails the request before it was dispatched (e.g. a transport that is closed). */
  fail(cause: ErrorCause, detail: string): void {
    this.finish(cause, detail);
  }

  /** undici is about to write the request on a connection (synchronously before sendHeaders). */
  onRequestStart(controller: Dispatcher.DispatchController): void {
    if (this.done) {
      // Ended while queued (total timeout): free the pool slot now that undici offers a way.
      controller.abort(this.pendingAbort ?? new TransportFailure('other', 'request ended before it was sent'));
      return;
    }
    this.controller = controller;
    this.state = 'awaiting-headers';
    this.stateSinceMs = performance.now();
    expectSocket(this);
  }

  /** The connection the request is written on: `new` if it was opened for it, else `reused`. */
  onSocket(socket: object): void {
    const setup = takeFreshSetup(socket);
    if (setup === undefined) {
      this.connection = 'reused';
    } else {
      this.connection = 'new';
      this.connectUs = setup.connectUs;
      this.proxyHandshakeUs = setup.proxyHandshakeUs;
      this.tlsUs = setup.tlsUs;
    }
    this.bytesOut = this.request.upload?.bytes ?? 0;
  }

  /**
   * The first byte of the response arrived. Deprecated in undici's types but still forwarded by
   * its UnwrapHandler; it is what docs/measurement.md §7 needs to tell a stale connection (closed before
   * any byte of the response) from one that broke mid-response.
   */
  onResponseStarted(): void {
    this.responseStarted = true;
  }

  /**
   * Status and headers arrived: the time to first byte; a 2xx gives the origin's own service time,
   * a non-2xx is classified here.
   */
  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200) return; // 1xx interim responses are not the answer
    const now = performance.now();
    this.state = 'body';
    this.stateSinceMs = now;
    this.ttfbUs = Math.round((now - this.startMs) * 1000);
    this.statusCode = statusCode;
    if (statusCode < 300) {
      this.originUs = parseOriginTimingUs(headers[ORIGIN_TIMING_HEADER]);
      this.targetCheck?.start(headers);
    } else {
      // A user's target never stamps its answers, so the stamp cannot tell a forward proxy's error from its.
      const source = this.targetCheck !== null && this.host.responseSource === 'proxy-or-origin' ? 'proxy-or-unstamped-origin' : this.host.responseSource;
      const classified = classifyStatus(statusCode, headers, source);
      this.statusCause = classified.cause;
      this.statusDetail = classified.detail;
    }
  }

  /** One body chunk: counted, and checked against the expected body as it passes. */
  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.stateSinceMs = performance.now();
    this.bytesIn += chunk.length;
    if (this.statusCause !== undefined) return; // an error page: drained so the connection stays usable
    if (this.verifier !== null) this.verifier.update(chunk);
    else if (this.targetCheck !== null) this.targetCheck.update(chunk);
    else this.digest?.update(chunk);
  }

  /** The body ended: the request's verdict. */
  onResponseEnd(): void {
    if (this.statusCause !== undefined) {
      this.finish(this.statusCause, this.statusDetail);
    } else if (this.verifier !== null) {
      const verdict = this.verifier.finish();
      if (verdict === 'ok') this.finish(undefined, '');
      else this.finish('integrity', `body ${verdict}: ${this.bytesIn} bytes received, ${this.verifier.expectedBytes} expected`);
    } else if (this.targetCheck !== null) {
      const problem = this.targetCheck.problem();
      if (problem === undefined) this.finish(undefined, '');
      else this.finish('integrity', problem);
    } else if (this.digest !== null) {
      const problem = this.digest.problem();
      if (problem === undefined) this.finish(undefined, '');
      else this.finish('integrity', problem);
    } else {
      this.finish(undefined, '');
    }
  }

  /** The request failed (from undici, our connect function, or our own abort). */
  onResponseError(_controller: Dispatcher.DispatchController | undefined, err: Error): void {
    if (this.done) return;
    stopExpecting(this);
    if (this.isStale(err) && this.host.retryOnFreshConnection(this, this.request)) return;
    const { cause, detail } = requestFailure(err);
    if (cause === 'reset' && this.statusCode !== 0) {
      this.finish(cause, `${detail}, mid-response after ${this.bytesIn} body bytes`);
    } else {
      this.finish(cause, detail);
    }
  }

  /** Called by the transport just before it re-dispatches this request on a new connection. */
  prepareRetry(): void {
    this.staleRetried = true;
    this.controller = null;
    this.state = 'queued';
    this.connection = 'none';
    this.connectUs = -1;
    this.proxyHandshakeUs = -1;
    this.tlsUs = -1;
    this.bytesOut = 0;
  }

  /** The limit timer fired: ends the request if a limit has passed, else re-arms for the next one. */
  checkLimits(): void {
    this.timer = undefined;
    if (this.done) return;
    const { ttfbMs, idleMs, totalMs } = this.host.limits;
    const now = performance.now();
    const totalDeadline = this.startMs + totalMs;
    // Queued: the earliest a phase limit could pass is a full ttfb from now.
    const phaseDeadline =
      this.state === 'awaiting-headers' ? this.stateSinceMs + ttfbMs
      : this.state === 'body' ? this.stateSinceMs + idleMs
      : Number.POSITIVE_INFINITY;
    const deadline = Math.min(totalDeadline, phaseDeadline);
    // Node's timers count whole milliseconds, so one may fire up to 1 ms before our deadline.
    if (deadline - now > TIMER_GRAIN_MS) {
      const nextCheck = this.state === 'queued' ? Math.min(totalDeadline, now + ttfbMs) : deadline;
      this.timer = setTimeout(onLimitTimer, nextCheck - now, this);
      return;
    }
    const failure =
      totalDeadline <= phaseDeadline ? new TransportFailure('timeout_total', `request not complete within ${totalMs} ms`)
      : this.state === 'awaiting-headers' ? new TransportFailure('timeout_ttfb', `no response headers within ${ttfbMs} ms of sending`)
      : new TransportFailure('timeout_idle', `no body data for ${idleMs} ms`);
    this.finish(failure.failureCause, failure.detail);
    if (this.controller !== null) this.controller.abort(failure);
    else this.pendingAbort = failure;
  }

  /** docs/measurement.md §7: a reused connection closed before any byte of the answer, for a GET, once. */
  private isStale(err: Error): boolean {
    return this.connection === 'reused' && !this.responseStarted && !this.staleRetried &&
      this.request.method === 'GET' && isConnectionClosedError(err);
  }

  private finish(cause: ErrorCause | undefined, detail: string): void {
    if (this.done) return;
    this.done = true;
    stopExpecting(this);
    if (this.timer !== undefined) clearTimeout(this.timer);
    const outcome: RequestOutcome = {
      ok: cause === undefined,
      cause,
      detail: cause === undefined ? undefined : detail,
      statusCode: this.statusCode,
      ttfbUs: this.ttfbUs,
      totalUs: Math.round((performance.now() - this.startMs) * 1000),
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      connection: this.connection,
      connectUs: this.connectUs,
      proxyHandshakeUs: this.proxyHandshakeUs,
      tlsUs: this.tlsUs,
      staleRetried: this.staleRetried,
      originUs: this.originUs,
    };
    this.resolve(outcome);
  }
}

/** How early a Node timer may fire against performance.now(), ms. */
const TIMER_GRAIN_MS = 1;

// A module-level function with the handler as argument, so arming the timer allocates no closure.
function onLimitTimer(handler: RequestHandler): void {
  handler.checkLimits();
}
