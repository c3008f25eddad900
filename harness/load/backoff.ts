/**
 * Backoff after failures (DESIGN rule 7): after `n` consecutive failures a slot waits
 * `min(maxMs, initialMs · factor^(n-1))`, shortened by jitter, before its next attempt; a success
 * resets `n` to 0. Jitter spreads the retries of many slots that failed together, so a proxy that
 * recovers is not hit by all of them in the same millisecond.
 */

/** How long to back off; every duration in milliseconds. */
export interface BackoffOptions {
  /** Delay after the first failure of a streak, in ms. */
  readonly initialMs: number;
  /** Growth per further consecutive failure (≥ 1 to grow). */
  readonly factor: number;
  /** Ceiling of the delay before jitter, in ms. */
  readonly maxMs: number;
  /** 0..1: the delay is base × (1 − jitter × random) */
  readonly jitter: number;
}

/** The defaults the issue names (10 ms doubling up to 1 s), with half of each delay jittered away. */
export const BACKOFF_DEFAULTS: BackoffOptions = { initialMs: 10, factor: 2, maxMs: 1000, jitter: 0.5 };

/**
 * The delay in ms before the next attempt after `consecutiveFailures` failures in a row: 0 when
 * there were none, else `min(maxMs, initialMs · factor^(n-1)) × (1 − jitter × random())`.
 *
 * @param random a source of numbers in [0, 1) (`Math.random`, or a fixed one in tests)
 */
export function backoffDelayMs(consecutiveFailures: number, options: BackoffOptions, random: () => number): number {
  if (consecutiveFailures <= 0) return 0;
  // factor^(n-1) overflows to Infinity on long streaks; min() then caps it, except 0 × Infinity
  // (initialMs 0), which is NaN and means "no delay".
  const grownMs = options.initialMs * options.factor ** (consecutiveFailures - 1);
  const baseMs = Number.isNaN(grownMs) ? 0 : Math.min(options.maxMs, grownMs);
  return baseMs * (1 - options.jitter * random());
}
