import type { BackoffOptions } from '../../core/run-settings.js';
import { seededUniform } from '../../core/seeded-random.js';

export type { BackoffOptions };

/**
 * Backoff after failures (docs/measurement.md §8): after `n` consecutive failures a slot waits
 * `min(maxMs, initialMs · factor^(n-1))`, shortened by jitter, before its next attempt; a success
 * resets `n` to 0. Jitter spreads the retries of many slots that failed together, so a proxy that
 * recovers is not hit by all of them in the same millisecond.
 */

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

/**
 * Salt that sets the backoff's stream apart from the request mix's, which is seeded with the same
 * worker seed (harness/workers/weighted-choice.ts). The first 32 bits of √2's fraction: any fixed
 * odd constant would do.
 */
const BACKOFF_STREAM_SALT = 0x6a09e667;

/**
 * A seeded source of [0, 1) for backoff jitter (mulberry32), its own stream apart from the request
 * mix's: how many failures there were, and so how many jitter draws, then cannot shift the mix,
 * and one `--seed` replays the same mix whatever the proxy fails. The same seed gives the same
 * sequence.
 *
 * @param seed the worker's seed (any 32-bit integer)
 */
export function backoffRandom(seed: number): () => number {
  return seededUniform(seed ^ BACKOFF_STREAM_SALT);
}
