import type { Clock } from '../../core/clock.js';
import type { BackoffOptions } from './backoff.js';
import type { Pacer } from './pacer.js';
import type { Stage } from '../../core/stages.js';

/**
 * The types shared by the executors. An executor keeps slots busy and backs off after failures; it
 * knows nothing of HTTP (as k6's executors): it calls `fire` and reads back only `ok`.
 */

/** What the executor needs to know of one request's outcome. */
export interface FireResult {
  readonly ok: boolean;
}

/** The executor's calls out. Every time is in ms on the executor's clock. */
export interface ExecutorHooks {
  /**
   * Starts one request. `intendedStartMs` is on the executor's clock (closed model: = actual start).
   * It should not reject (transports turn failures into outcomes); if it does, the executor starts
   * nothing more and its run rejects with that error once every started request has settled.
   */
  fire(intendedStartMs: number): Promise<FireResult>;
  /** A slot (closed model) or the whole loop (open model) starts waiting `delayMs` after a failure. */
  onBackoff?(delayMs: number): void;
  /**
   * Open model: a request started later than its intended time by more than lateToleranceMs.
   * Called right before the `fire` of that same request, with no other call in between.
   */
  onLate?(intendedStartMs: number, lateByMs: number): void;
  /**
   * Open model: a request never started. `cause` says why: `backoff` — a backoff after failures
   * covered its whole slot of the schedule (until the next request was due); `run_ended` — the run
   * ended before it could start (every in-flight slot was still busy, or the loop woke too late).
   */
  onDropped?(intendedStartMs: number, cause: DropCause): void;
}

/** Why an open-model request was dropped; see {@link ExecutorHooks.onDropped}. */
export type DropCause = 'backoff' | 'run_ended';

/** When an executor stops starting requests; whichever comes first. */
export interface ExecutorBounds {
  /**
   * Clock time (ms) that ends the run. Closed model: nothing starts at or after it. Open model:
   * nothing *intended* at or after it is scheduled; one intended just before it may start a
   * moment after (see runOpenLoop).
   */
  readonly endAtMs: number;
  /** Most requests to start (counts started requests, not scheduled ones). */
  readonly maxRequests?: number;
  /** Aborting stops new starts at once (SIGINT); requests already started are waited for. */
  readonly signal?: AbortSignal;
}

/** Options of the closed model: `concurrency` requests in flight, each slot firing again as its last settles. */
export interface ClosedLoopOptions {
  readonly clock: Clock;
  /** Requests in flight at the start (this worker's share); stages ramp it from here. */
  readonly concurrency: number;
  /** Concurrency targets over time, from `startMs`. */
  readonly stages?: readonly Stage[];
  readonly backoff: BackoffOptions;
  /** Source of [0, 1) for backoff jitter; `Math.random` by default. */
  readonly random?: () => number;
  readonly hooks: ExecutorHooks;
  readonly bounds: ExecutorBounds;
  /** Clock time (ms) that stage times count from; `clock.now()` at the call by default. */
  readonly startMs?: number;
}

/** Options of the open model: requests start when the pacer says they are due, whatever is in flight. */
export interface OpenLoopOptions {
  readonly clock: Clock;
  /** This worker's schedule, its times counted from `startMs`. */
  readonly pacer: Pacer;
  /** Most requests in flight at once, so a dead proxy cannot exhaust the harness. */
  readonly maxInFlight: number;
  /** A request starting more than this many ms after its intended time is late; see runOpenLoop. */
  readonly lateToleranceMs?: number;
  readonly backoff: BackoffOptions;
  /** Source of [0, 1) for backoff jitter; `Math.random` by default. */
  readonly random?: () => number;
  readonly hooks: ExecutorHooks;
  readonly bounds: ExecutorBounds;
  /** Clock time (ms) the pacer's times count from; `clock.now()` at the call by default. */
  readonly startMs?: number;
}

/** What an executor did, for the report. */
export interface ExecutorCounts {
  /** Requests started (fire called). */
  readonly started: number;
  /** Backoff waits begun. */
  readonly backoffs: number;
  /** Open model: requests started more than the late tolerance after their intended time. */
  readonly late: number;
  /** Open model: scheduled requests never started. */
  readonly dropped: number;
  /**
   * Open model: times a request fell due while every in-flight slot was busy. Zero means late
   * starts were the harness's own timers running late, not a proxy holding the slots.
   */
  readonly slotWaits: number;
}
