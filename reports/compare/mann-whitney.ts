import { normalTwoSidedP } from './distributions.js';
import { decodeBuckets, type Buckets } from './histogram-buckets.js';

/** Result of a Mann–Whitney U test of two latency distributions. */
export interface MannWhitneyResult {
  /** U of the `after` sample: how often an `after` value exceeds a `before` value (ties count ½). */
  readonly u: number;
  /** Normal approximation of U, tie- and continuity-corrected; positive when `after` is slower. */
  readonly z: number;
  readonly pValue: number;
  readonly countBefore: number;
  readonly countAfter: number;
}

/**
 * Mann–Whitney U (Wilcoxon rank-sum) test of two encoded latency histograms, computed from bucket
 * counts: values in one bucket are ties (HdrHistogram cannot tell them apart), each given the mean
 * rank of its tie group, and the variance carries the tie correction. Two-sided p from the normal
 * approximation, which is sound from about 20 samples a side (callers check counts first).
 */
export function mannWhitneyU(before: string, after: string): MannWhitneyResult {
  return rankTest(decodeBuckets(before), decodeBuckets(after));
}

function rankTest(before: Buckets, after: Buckets): MannWhitneyResult {
  const n1 = before.total;
  const n2 = after.total;
  let i = 0;
  let j = 0;
  let ranked = 0;
  let rankSumAfter = 0;
  let tieTerm = 0;
  // Merge-walk both ascending bucket lists; equal values form one tie group across both samples.
  while (i < before.values.length || j < after.values.length) {
    const va = before.values[i] ?? Infinity;
    const vb = after.values[j] ?? Infinity;
    const value = Math.min(va, vb);
    const ca = va === value ? (before.counts[i++] ?? 0) : 0;
    const cb = vb === value ? (after.counts[j++] ?? 0) : 0;
    const ties = ca + cb;
    rankSumAfter += cb * (ranked + (ties + 1) / 2);
    tieTerm += ties ** 3 - ties;
    ranked += ties;
  }
  const u = rankSumAfter - (n2 * (n2 + 1)) / 2;
  const n = n1 + n2;
  const mean = (n1 * n2) / 2;
  const variance = n > 1 ? ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))) : 0;
  if (variance <= 0) return { u, z: 0, pValue: 1, countBefore: n1, countAfter: n2 };
  const excess = u - mean;
  const corrected = Math.sign(excess) * Math.max(0, Math.abs(excess) - 0.5);
  const z = corrected / Math.sqrt(variance);
  return { u, z, pValue: normalTwoSidedP(z), countBefore: n1, countAfter: n2 };
}
