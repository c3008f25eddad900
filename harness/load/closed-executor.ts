import pLimit, { type LimitFunction } from 'p-limit';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Clock } from '../../core/clock.js';
import { backoffDelayMs } from './backoff.js';
import { concurrencyAt, nextConcurrencyChangeMs } from './concurrency-schedule.js';
import type { ClosedLoopOptions, ExecutorCounts, FireResult } from './executor-types.js';
import { RunControl } from './run-control.js';

/**
 * Requests a slot runs back to back before it yields to the event loop. Fires that settle within
 * the same turn (instant successes; instant failures when the backoff comes to 0 ms) would
 * otherwise chain promise jobs without end and starve timers and I/O; one setImmediate per 64
 * requests costs well under a microsecond per request.
 */
const SPIN_YIELD_EVERY = 64;

/**
 * The closed model (docs/measurement.md §2): `concurrency` slots, each firing its next request as soon as
 * its last one settled, so at most that many are in flight.
 *
 * - Backoff: after `n` consecutive failures a slot waits {@link backoffDelayMs}(n) before its next
 *   request (counted, reported to `onBackoff`); a success resets its streak. Slots back off alone,
 *   so one unlucky slot does not stall the others.
 * - Stages: the slot count follows the stages' target rounded to a whole number. A rising target
 *   starts new slots at once; a falling one retires the highest slots, each only between two of its
 *   requests (never abandoning one in flight), while p-limit — its concurrency set to the target —
 *   holds back new starts until the in-flight count is under the new target.
 * - Start: slots start at `startMs` (at once when it has passed), which stage times count from.
 * - Bounds: nothing starts at or after `endAtMs`, after `maxRequests` starts (exactly), after an
 *   abort, or once the stages rest at 0 for good; the promise resolves when every started request
 *   has settled. A rejected fire() stops new starts too, and the promise rejects with its error.
 */
export async function runClosedLoop(options: ClosedLoopOptions): Promise<ExecutorCounts> {
  return new ClosedLoop(options).run();
}

class ClosedLoop {
  readonly #options: ClosedLoopOptions;
  readonly #clock: Clock;
  readonly #startMs: number;
  readonly #maxRequests: number;
  readonly #control: RunControl;
  readonly #limit: LimitFunction = pLimit(1);
  /** Running slot loops by slot index; bounded by the highest concurrency, never by requests. */
  readonly #slots: (Promise<void> | undefined)[] = [];
  #target = 0;
  #stopped = false;
  #started = 0;
  #backoffs = 0;
  #failure: { readonly error: unknown } | undefined;

  constructor(options: ClosedLoopOptions) {
    this.#options = options;
    this.#clock = options.clock;
    this.#startMs = options.startMs ?? options.clock.now();
    this.#maxRequests = options.bounds.maxRequests ?? Infinity;
    this.#control = new RunControl(options.clock, options.bounds.signal);
  }

  async run(): Promise<ExecutorCounts> {
    try {
      await this.#steer();
    } finally {
      // Setting the target to 0 retires every slot at its next check; waking ends their backoffs.
      this.#stopped = true;
      this.#target = 0;
      this.#control.wakeAll();
      await Promise.all(this.#slots);
      this.#control.dispose();
    }
    if (this.#failure !== undefined) throw this.#failure.error;
    return { started: this.#started, backoffs: this.#backoffs, late: 0, dropped: 0, slotWaits: 0 };
  }

  /** Keeps the slot count on the stages' target until a bound is reached; one sleep at a time. */
  async #steer(): Promise<void> {
    const { concurrency, stages = [] } = this.#options;
    const { endAtMs } = this.#options.bounds;
    while (!this.#ended()) {
      const elapsedMs = this.#clock.now() - this.#startMs;
      if (elapsedMs < 0) {
        await this.#control.sleepUntil(this.#startMs);
        continue;
      }
      this.#setTarget(concurrencyAt(concurrency, stages, elapsedMs));
      const nextChangeMs = nextConcurrencyChangeMs(concurrency, stages, elapsedMs);
      if (this.#target === 0 && nextChangeMs === Infinity) return; // the stages rest at 0 for good
      // Slots wake this sleep when they stop (bounds reached, failure), so the end is seen at once.
      await this.#control.sleepUntil(Math.min(endAtMs, this.#startMs + nextChangeMs));
    }
  }

  #setTarget(target: number): void {
    this.#target = target;
    this.#limit.concurrency = Math.max(1, target);
    for (let index = 0; index < target; index++) {
      if (this.#slots[index] === undefined) this.#slots[index] = this.#runSlot(index);
    }
  }

  #ended(): boolean {
    return (
      this.#stopped ||
      this.#failure !== undefined ||
      this.#control.aborted ||
      this.#started >= this.#maxRequests ||
      this.#clock.now() >= this.#options.bounds.endAtMs
    );
  }

  async #runSlot(index: number): Promise<void> {
    let streak = 0;
    try {
      for (let requests = 1; ; requests++) {
        const result = await this.#limit(() => this.#fireIfAllowed(index));
        if (result === undefined) return;
        streak = result.ok ? 0 : streak + 1;
        if (streak > 0) await this.#backOff(streak);
        if (requests % SPIN_YIELD_EVERY === 0) await nextTurn();
      }
    } catch (error) {
      this.#failure ??= { error };
    } finally {
      this.#slots[index] = undefined;
      this.#control.wakeAll();
    }
  }

  /** Runs inside p-limit, so the bounds are checked at the very moment of the start. */
  #fireIfAllowed(index: number): Promise<FireResult> | undefined {
    if (index >= this.#target || this.#ended()) return undefined;
    this.#started++;
    return this.#options.hooks.fire(this.#clock.now());
  }

  async #backOff(streak: number): Promise<void> {
    const { backoff, random = Math.random, hooks, bounds } = this.#options;
    const delayMs = backoffDelayMs(streak, backoff, random);
    this.#backoffs++;
    hooks.onBackoff?.(delayMs);
    // Sleeping past the end would only delay the run's return.
    const untilMs = Math.min(this.#clock.now() + delayMs, bounds.endAtMs);
    while (!this.#ended() && this.#clock.now() < untilMs) await this.#control.sleepUntil(untilMs);
  }
}
