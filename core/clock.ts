import { performance } from 'node:perf_hooks';

/**
 * The time source of load models, backoff and transports, injected so they can be tested with a
 * fake clock instead of sleeps (docs/architecture.md).
 */
export interface Clock {
  /** Monotonic milliseconds (fractional), origin arbitrary. */
  now(): number;
  /** Wall-clock milliseconds since the epoch, for series stamps that align across shards. */
  wallNow(): number;
  /** Resolves after `ms` milliseconds (0 or less resolves on the next turn). */
  sleep(ms: number): Promise<void>;
}

/** The real clock: `performance.now()` for durations, `Date.now()` for stamps. */
export const systemClock: Clock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};
