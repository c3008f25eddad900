import pLimit, { type LimitFunction } from 'p-limit';
import type { Clock } from '../../core/clock.js';
import { backoffDelayMs } from './backoff.js';
import type { ExecutorCounts, OpenLoopOptions } from './executor-types.js';
import { RunControl } from './run-control.js';

/** Tunables of the open model. */
export const OPEN_LOOP_DEFAULTS = {
  /** Requests in flight per worker before new ones wait or are dropped (`--max-in-flight`). */
  maxInFlight: 10_000,
  /**
   * Least lateness (ms) counted as late when no `lateToleranceMs` is given. Node timers cannot wake
   * sooner than 1 ms and wake 0.1–0.3 ms after that (measured on the project's 2-core machines), so
   * a schedule of sub-millisecond intervals is served in bursts up to ~1.3 ms behind: timer
   * granularity, not a schedule the harness failed to keep.
   */
  lateToleranceFloorMs: 2,
} as const;

/**
 * Hits handled in one pass before the loop yields. At rates above what the process can start, a
 * pass would otherwise never end (more hits fall due while it runs) and starve the event loop.
 */
const MAX_HITS_PER_PASS = 1024;

/** While waiting for a slot the loop is woken by the settle that frees one; this bounds the wait anyway. */
const WAIT_FOR_SLOT_RECHECK_MS = 100;

/**
 * The open model (docs/measurement.md §2): requests start when the pacer says they are due, not when
 * earlier ones settle, and each is fired with its *intended* start so latency is measured from it
 * (coordinated omission corrected, as wrk2). The loop keeps one sleep pending, until the next due
 * time; when it wakes behind schedule it starts every overdue request in one burst.
 *
 * What happens to a due request, in order:
 * - **Started** when fewer than `maxInFlight` are in flight and no backoff is running.
 *   It is **late** (counted, `onLate`) when it starts more than `lateToleranceMs` after its
 *   intended time — by default one inter-arrival interval, at least
 *   {@link OPEN_LOOP_DEFAULTS}.lateToleranceFloorMs: it started after the next request was due, so
 *   the harness did not keep the schedule. Its latency still counts from the intended time.
 * - **Waiting for a slot** while all `maxInFlight` slots are busy: it starts, late, as soon as one
 *   frees, and the overdue requests behind it follow one per freed slot, each with its own
 *   intended start (wrk2's rule). This is the case coordinated-omission correction exists for: a
 *   proxy that stalls makes requests wait, and their wait must show in the latency, not vanish
 *   into a "dropped" count. The backlog is only an index into the schedule, so it costs no memory,
 *   and a freed slot starts one request, so it never bursts beyond `maxInFlight`.
 * - **Dropped** (counted, `onDropped`) when a backoff covers its whole slot of the schedule (the
 *   harness holds off on purpose after failures; sending those later in a burst would hit a
 *   struggling proxy hardest), or when the run ends before it could start.
 *
 * Backoff: failures are counted in a streak over the worker's requests in the order they settle,
 * reset by a success. A failure while no backoff runs starts one of {@link backoffDelayMs}(streak)
 * (counted, `onBackoff`); failures during it lengthen the streak without starting another. During
 * a backoff nothing starts, so the requests it covers are dropped or start late — never hidden.
 *
 * Bounds: the schedule is cut at `endAtMs` — requests intended before it are still started, waited
 * for or dropped by the rules above (a pass that wakes just after the end does not drop the
 * last millisecond's requests); none intended at or after it. At most `maxRequests` start. An
 * abort stops new starts at once. The promise resolves when every started request has settled; a
 * rejected fire() stops new starts and the promise rejects with its error.
 */
export async function runOpenLoop(options: OpenLoopOptions): Promise<ExecutorCounts> {
  return new OpenLoop(options).run();
}

class OpenLoop {
  readonly #options: OpenLoopOptions;
  readonly #clock: Clock;
  readonly #startMs: number;
  readonly #maxRequests: number;
  readonly #control: RunControl;
  /**
   * The hard in-flight bound. The loop keeps its own count to decide start / wait / drop itself,
   * so nothing waits in p-limit's queue beyond the few promise jobs between a settle and its release.
   */
  readonly #limit: LimitFunction;
  /** The next hit of the schedule not yet started or dropped. */
  #hit = 0;
  #cachedHit = -1;
  #cachedIntendedMs: number | undefined;
  #inFlight = 0;
  #waitingForSlot = false;
  #whenIdle: (() => void) | undefined;
  #streak = 0;
  #backoffUntilMs = -Infinity;
  readonly #counts = { started: 0, backoffs: 0, late: 0, dropped: 0, slotWaits: 0 };
  #failure: { readonly error: unknown } | undefined;

  constructor(options: OpenLoopOptions) {
    this.#options = options;
    this.#clock = options.clock;
    this.#startMs = options.startMs ?? options.clock.now();
    this.#maxRequests = options.bounds.maxRequests ?? Infinity;
    this.#control = new RunControl(options.clock, options.bounds.signal);
    this.#limit = pLimit(options.maxInFlight);
  }

  async run(): Promise<ExecutorCounts> {
    try {
      while (!this.#control.aborted && this.#failure === undefined) {
        const wakeAtMs = this.#startDueHits();
        if (wakeAtMs === undefined) break;
        await this.#control.sleepUntil(wakeAtMs);
      }
      if (this.#inFlight > 0) await new Promise<void>((resolve) => (this.#whenIdle = resolve));
    } finally {
      this.#control.dispose();
    }
    if (this.#failure !== undefined) throw this.#failure.error;
    return { ...this.#counts };
  }

  /**
   * One pass over the hits due by now: starts or drops each. Returns the clock time to wake at
   * (the next due time, or when a waiting hit's slot ends), or undefined when nothing is left to start.
   */
  #startDueHits(): number | undefined {
    const { endAtMs } = this.#options.bounds;
    this.#waitingForSlot = false;
    for (let pass = 0; pass < MAX_HITS_PER_PASS; pass++) {
      const intendedMs = this.#intendedMs(this.#hit);
      if (this.#counts.started >= this.#maxRequests || intendedMs === undefined || intendedMs >= endAtMs) return undefined;
      const nowMs = this.#clock.now();
      if (intendedMs > nowMs) return intendedMs;
      // A hit's slot of the schedule ends when the next one is due; the last one's, at the end.
      const slotEndMs = this.#intendedMs(this.#hit + 1) ?? Math.max(endAtMs, intendedMs);
      if (nowMs >= endAtMs + this.#toleranceMs(intendedMs, slotEndMs)) {
        // The run is over: what is still owed to the schedule was never sent.
        this.#dropRest(endAtMs);
        return undefined;
      }
      const inBackoff = nowMs < this.#backoffUntilMs;
      if (!inBackoff && this.#inFlight < this.#options.maxInFlight) {
        this.#start(intendedMs, slotEndMs, nowMs);
      } else if (!inBackoff) {
        // Every slot busy: wait for one (a settle wakes the loop); the sleep is only a safety net.
        this.#waitingForSlot = true;
        this.#counts.slotWaits++;
        return nowMs + WAIT_FOR_SLOT_RECHECK_MS;
      } else if (slotEndMs <= nowMs) {
        this.#counts.dropped++;
        this.#options.hooks.onDropped?.(intendedMs, 'backoff');
      } else {
        return Math.min(slotEndMs, this.#backoffUntilMs);
      }
      this.#hit++;
    }
    return this.#clock.now(); // yield: a sleep of 0 lets timers and I/O run before the next pass
  }

  /** Counts every hit from the current one that was due before `endAtMs` as dropped. */
  #dropRest(endAtMs: number): void {
    for (;;) {
      const intendedMs = this.#intendedMs(this.#hit);
      if (intendedMs === undefined || intendedMs >= endAtMs || this.#counts.started + this.#counts.dropped >= this.#maxRequests) return;
      this.#counts.dropped++;
      this.#options.hooks.onDropped?.(intendedMs, 'run_ended');
      this.#hit++;
    }
  }

  /** How late a start may be before it counts as late: one interval, at least the timer floor. */
  #toleranceMs(intendedMs: number, slotEndMs: number): number {
    return this.#options.lateToleranceMs ?? Math.max(OPEN_LOOP_DEFAULTS.lateToleranceFloorMs, slotEndMs - intendedMs);
  }

  /** Intended start of `hit` on the clock; each hit is asked for twice in a row, so the last answer is kept. */
  #intendedMs(hit: number): number | undefined {
    if (hit !== this.#cachedHit) {
      const dueMs = this.#options.pacer.dueMs(hit);
      this.#cachedHit = hit;
      this.#cachedIntendedMs = dueMs === undefined ? undefined : this.#startMs + dueMs;
    }
    return this.#cachedIntendedMs;
  }

  #start(intendedMs: number, slotEndMs: number, nowMs: number): void {
    const lateByMs = nowMs - intendedMs;
    const isLate = lateByMs > this.#toleranceMs(intendedMs, slotEndMs);
    if (isLate) this.#counts.late++;
    this.#counts.started++;
    this.#inFlight++;
    void this.#limit(() => this.#fireAndSettle(intendedMs, isLate ? lateByMs : undefined));
  }

  /** Runs inside p-limit: onLate comes right before the fire of the same request, nothing between. */
  async #fireAndSettle(intendedMs: number, lateByMs: number | undefined): Promise<void> {
    const { hooks } = this.#options;
    try {
      if (lateByMs !== undefined) hooks.onLate?.(intendedMs, lateByMs);
      const result = await hooks.fire(intendedMs);
      if (result.ok) this.#streak = 0;
      else this.#onFailure();
    } catch (error) {
      this.#failure ??= { error };
      this.#control.wakeAll();
    } finally {
      this.#inFlight--;
      if (this.#waitingForSlot) this.#control.wakeAll();
      if (this.#inFlight === 0) this.#whenIdle?.();
    }
  }

  #onFailure(): void {
    this.#streak++;
    const nowMs = this.#clock.now();
    if (nowMs < this.#backoffUntilMs) return;
    const { backoff, random = Math.random, hooks } = this.#options;
    const delayMs = backoffDelayMs(this.#streak, backoff, random);
    this.#counts.backoffs++;
    this.#backoffUntilMs = nowMs + delayMs;
    hooks.onBackoff?.(delayMs);
  }
}
