import type { Buckets } from './histogram-buckets.js';
import { seededUniform } from '../../core/seeded-random.js';
import { betaVariate, type Uniform } from './random-variates.js';

/**
 * Significance tests that look at the tail of two latency histograms. A rank test over the whole
 * distribution (Mann–Whitney) hardly moves when 1 % of requests get slow, and flags any shift of
 * the body once there are thousands of samples; p95/p99 and max are judged here instead, from the
 * histograms' bucket counts (never per-request arrays).
 */

/** Result of a tail test. */
export interface TailTestResult {
  /** Two-sided p-value. */
  readonly pValue: number;
}

/** Bootstrap replicates per test: p-values resolve down to 2/2001 ≈ 0.001. */
export const BOOTSTRAP_REPLICATES = 2000;

/** Seed of every bootstrap, so the same two reports always get the same verdict. */
const BOOTSTRAP_SEED = 0x7a11;

/**
 * Percentile bootstrap of the difference of the `quantile` (0..1, e.g. 0.99) of two histograms:
 * both samples are resampled with replacement `replicates` times, the quantile difference after −
 * before taken each time, and the two-sided p-value is twice the smaller share of differences on
 * either side of zero (ties split), i.e. the smallest α at which the bootstrap confidence interval
 * of the difference leaves out 0.
 *
 * Bounded work: resampling n values and taking their k-th smallest is the same as mapping the k-th
 * smallest of n uniforms, which is Beta(k, n − k + 1), through the sample's inverse CDF (a search in
 * the cumulative bucket counts). So each replicate costs one beta variate and one binary search per
 * side, whatever n is. k follows HdrHistogram's getValueAtPercentile (k = ⌈q·n⌉, at least 1), so the
 * quantile bootstrapped is the one the report prints.
 */
export function quantileBootstrap(before: Buckets, after: Buckets, quantile: number, replicates = BOOTSTRAP_REPLICATES): TailTestResult {
  const uniform = seededUniform(BOOTSTRAP_SEED + Math.round(quantile * 10_000));
  const resampleBefore = quantileResampler(before, quantile);
  const resampleAfter = quantileResampler(after, quantile);
  let below = 0;
  let above = 0;
  for (let r = 0; r < replicates; r++) {
    const difference = resampleAfter(uniform) - resampleBefore(uniform);
    if (difference < 0) below += 1;
    else if (difference > 0) above += 1;
    else {
      below += 0.5;
      above += 0.5;
    }
  }
  // +1 on both counts: the observed sample counts as one of the replicates, so p is never 0.
  return { pValue: Math.min(1, (2 * (Math.min(below, above) + 1)) / (replicates + 1)) };
}

/** Draws the `quantile` of one bootstrap resample of `buckets` (a bucket value, µs). */
function quantileResampler(buckets: Buckets, quantile: number): (uniform: Uniform) => number {
  const n = buckets.total;
  if (n === 0) throw new RangeError('cannot bootstrap an empty histogram');
  const k = Math.min(n, Math.max(1, Math.ceil(quantile * n - 1e-9)));
  const cumulative: number[] = [];
  let running = 0;
  for (const count of buckets.counts) cumulative.push((running += count));
  return (uniform) => {
    const u = betaVariate(k, n - k + 1, uniform);
    // The resample's k-th value is the original sample's value of rank ⌈u·n⌉.
    const rank = Math.min(n, Math.max(1, Math.ceil(u * n)));
    return buckets.values[firstAtLeast(cumulative, rank)] ?? 0;
  };
}

/** Index of the first entry of ascending `cumulative` that is ≥ `rank`. */
function firstAtLeast(cumulative: readonly number[], rank: number): number {
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((cumulative[middle] ?? 0) >= rank) high = middle;
    else low = middle + 1;
  }
  return low;
}

/**
 * Exceedance test of the maxima: m requests of one report lie above the other report's whole
 * range. If both came from one distribution, every order of the pooled N = n₁ + n₂ samples is
 * equally likely, so the chance that the top m all come from the side with n samples is
 * ∏ (n − i)/(N − i) for i < m; the two-sided p-value doubles it. One slow outlier (m = 1) is never
 * significant; with equal sides it takes m ≥ 6. A bootstrap is no use here: a resample's max
 * never exceeds the sample's. Values in the same bucket as the other side's max count as not above,
 * which only makes the test more cautious.
 */
export function maxExceedanceTest(before: Buckets, after: Buckets): TailTestResult {
  const maxBefore = before.values.at(-1) ?? 0;
  const maxAfter = after.values.at(-1) ?? 0;
  const aboveBefore = countAbove(after, maxBefore);
  const aboveAfter = countAbove(before, maxAfter);
  const [m, side] = aboveBefore > 0 ? [aboveBefore, after.total] : [aboveAfter, before.total];
  const pooled = before.total + after.total;
  let oneSided = 1;
  for (let i = 0; i < m && oneSided > 0; i++) oneSided *= (side - i) / (pooled - i);
  return { pValue: Math.min(1, 2 * oneSided) };
}

/** Samples of `buckets` in buckets strictly above `value`. */
function countAbove(buckets: Buckets, value: number): number {
  let count = 0;
  for (let i = buckets.values.length - 1; i >= 0 && (buckets.values[i] ?? 0) > value; i--) count += buckets.counts[i] ?? 0;
  return count;
}
