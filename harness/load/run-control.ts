import type { Clock } from '../../core/clock.js';

/**
 * Longest single clock sleep, in ms. `Clock.sleep` cannot be cancelled, so a loop that stops early
 * (abort, bounds) leaves its last sleep pending: capping it keeps a stopped executor from holding
 * the process open for up to a whole run; waking ten times a second costs nothing.
 */
const MAX_SLEEP_MS = 100;

/**
 * The waiting part of an executor run: sleeps on the injected clock that end at a time, on
 * {@link RunControl.wakeAll}, or on abort, whichever comes first. One abort listener serves every
 * waiter of the run (a listener per wait would pile up on a long-lived signal), and a pending clock
 * sleep that ends no later than the next wanted time is reused rather than doubled.
 */
export class RunControl {
  readonly #clock: Clock;
  readonly #signal: AbortSignal | undefined;
  readonly #waiters = new Set<() => void>();
  readonly #onAbort = (): void => this.wakeAll();
  #lastSleep: { readonly endMs: number; readonly done: Promise<void>; ended: boolean } | undefined;

  /** @param signal aborting it wakes every waiter, and later waits return at once */
  constructor(clock: Clock, signal: AbortSignal | undefined) {
    this.#clock = clock;
    this.#signal = signal;
    signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** True once the run's signal is aborted. */
  get aborted(): boolean {
    return this.#signal?.aborted ?? false;
  }

  /**
   * Resolves at clock time `untilMs` (ms) or earlier: on a wake-up, on abort, or after at most
   * 100 ms. Callers re-check their condition and wait again, so an early return is always safe.
   */
  sleepUntil(untilMs: number): Promise<void> {
    if (this.aborted) return Promise.resolve();
    const sleep = this.#sleepTowards(untilMs);
    return new Promise((resolve) => {
      this.#waiters.add(resolve);
      void sleep.then(() => {
        this.#waiters.delete(resolve);
        resolve();
      });
    });
  }

  /** Ends every current wait now (a request settled, a slot retired). */
  wakeAll(): void {
    for (const wake of this.#waiters) wake();
    this.#waiters.clear();
  }

  /** Detaches from the abort signal; call once the run is over. */
  dispose(): void {
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.wakeAll();
  }

  #sleepTowards(untilMs: number): Promise<void> {
    const nowMs = this.#clock.now();
    const last = this.#lastSleep;
    // Only a sleep still pending is worth sharing: a timer may fire before the clock reads its
    // end (Node's timers count from a loop time rounded down to the ms), and handing out its
    // resolved promise again would spin the caller until the clock catches up.
    if (last !== undefined && !last.ended && last.endMs <= untilMs) return last.done;
    const delayMs = Math.min(Math.max(0, untilMs - nowMs), MAX_SLEEP_MS);
    const sleep = { endMs: nowMs + delayMs, done: this.#clock.sleep(delayMs), ended: false };
    void sleep.done.then(() => (sleep.ended = true));
    this.#lastSleep = sleep;
    return sleep.done;
  }
}
