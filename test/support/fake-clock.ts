import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Clock } from '../../core/clock.js';

/** A pending `sleep`: resolves when the test moves time to `dueMs`. */
interface Timer {
  readonly dueMs: number;
  /** Creation order, so timers due at the same time fire in the order they were set. */
  readonly seq: number;
  readonly resolve: () => void;
}

/**
 * Most event-loop turns one flush lets run. One turn already drains every promise job (however
 * long the awaited chain); further turns run while code under test keeps yielding with
 * setImmediate (the closed loop does, every 64 requests). The bound stops a flush that would
 * never end; it is far above what any test here needs.
 */
const MAX_TURNS_PER_FLUSH = 10_000;

/** Whether a setImmediate callback is waiting (other than the flush's own, already run). */
function immediatePending(): boolean {
  return process.getActiveResourcesInfo().includes('Immediate');
}

/**
 * A manual {@link Clock} for tests: time stands still until the test moves it, `sleep` resolves
 * when time reaches its end, and every move lets promise jobs run, so awaited chains progress
 * deterministically — no real timers, no sleeps.
 */
export class FakeClock implements Clock {
  #nowMs: number;
  readonly #wallStartMs: number;
  #timers: Timer[] = [];
  #seq = 0;

  /** @param startMs the first `now()`, in ms; @param wallStartMs what `wallNow()` says at `startMs` */
  constructor(startMs = 0, wallStartMs = Date.UTC(2026, 0, 1)) {
    this.#nowMs = startMs;
    this.#wallStartMs = wallStartMs - startMs;
  }

  now(): number {
    return this.#nowMs;
  }

  wallNow(): number {
    return this.#wallStartMs + this.#nowMs;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#timers.push({ dueMs: this.#nowMs + Math.max(0, ms), seq: this.#seq++, resolve });
    });
  }

  /** Sleeps not yet resolved. */
  get pendingSleeps(): number {
    return this.#timers.length;
  }

  /** When the earliest pending sleep ends (ms), or undefined when none is pending. */
  get nextTimerMs(): number | undefined {
    return this.#earliest()?.dueMs;
  }

  /**
   * Moves time forward by `ms` without letting anything run: what a busy event loop (a long
   * synchronous fire, a GC pause) looks like to the code under test. Sleeps that end meanwhile
   * fire late, at the next {@link flush} or {@link advance}.
   */
  block(ms: number): void {
    this.#nowMs += ms;
  }

  /**
   * Fires every sleep due by now, in order, and lets promise jobs and setImmediate callbacks run
   * until nothing is left to do at this time.
   */
  async flush(): Promise<void> {
    for (let turn = 0; turn < MAX_TURNS_PER_FLUSH; turn++) {
      this.#fireDue();
      await nextTurn();
      const dueNow = this.nextTimerMs !== undefined && this.nextTimerMs <= this.#nowMs;
      if (!dueNow && !immediatePending()) return;
    }
  }

  /** Moves time forward by `ms`, stopping at each sleep's end to fire it and flush. */
  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.#nowMs + ms);
  }

  /** Moves time to `targetMs` (never backwards), stopping at each sleep's end to fire it and flush. */
  async advanceTo(targetMs: number): Promise<void> {
    await this.flush();
    for (let next = this.nextTimerMs; next !== undefined && next <= targetMs; next = this.nextTimerMs) {
      this.#nowMs = Math.max(this.#nowMs, next);
      await this.flush();
    }
    this.#nowMs = Math.max(this.#nowMs, targetMs);
    await this.flush();
  }

  /**
   * Advances sleep by sleep until `promise` settles, and returns its value. Throws if it has not
   * settled once time passes `limitMs` (a hang in the code under test, reported, not waited out).
   */
  async run<T>(promise: Promise<T>, limitMs = 600_000): Promise<T> {
    let settled = false;
    const observed = promise.finally(() => (settled = true));
    observed.catch(() => undefined); // the caller sees the rejection through the returned promise
    await this.flush();
    while (!settled) {
      const next = this.nextTimerMs;
      if (next === undefined || next > limitMs) {
        throw new Error(`FakeClock.run: not settled by ${limitMs} ms and nothing left to fire (now ${this.#nowMs} ms)`);
      }
      this.#nowMs = Math.max(this.#nowMs, next);
      await this.flush();
    }
    return observed;
  }

  #earliest(): Timer | undefined {
    let earliest: Timer | undefined;
    for (const timer of this.#timers) {
      if (earliest === undefined || timer.dueMs < earliest.dueMs || (timer.dueMs === earliest.dueMs && timer.seq < earliest.seq)) {
        earliest = timer;
      }
    }
    return earliest;
  }

  #fireDue(): void {
    const due = this.#timers.filter((timer) => timer.dueMs <= this.#nowMs).sort((a, b) => a.dueMs - b.dueMs || a.seq - b.seq);
    if (due.length === 0) return;
    this.#timers = this.#timers.filter((timer) => timer.dueMs > this.#nowMs);
    for (const timer of due) timer.resolve();
  }
}
