import * as hdr from 'hdr-histogram-js';
import { decodeHistogram, type Histogram } from '../histogram-codec.js';
import { normalTwoSidedP } from './distributions.js';

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

/** Recorded (value, count) pairs in ascending value order: one per non-empty bucket, never per sample. */
function buckets(histogram: Histogram): [number, number][] {
  // decodeHistogram/createHistogram build plain-JS histograms; only those expose the iterator.
  if (!(histogram instanceof hdr.JsHistogram)) throw new TypeError('Mann–Whitney needs a JS HdrHistogram');
  const out: [number, number][] = [];
  const iterator = histogram.recordedValuesIterator;
  iterator.reset();
  while (iterator.hasNext()) {
    const step = iterator.next();
    out.push([step.valueIteratedTo, step.countAtValueIteratedTo]);
  }
  return out;
}

/**
 * Mann–Whitney U (Wilcoxon rank-sum) test of two encoded latency histograms, computed from bucket
 * counts: values in one bucket are ties (HdrHistogram cannot tell them apart), each given the mean
 * rank of its tie group, and the variance carries the tie correction. Two-sided p from the normal
 * approximation, which is sound from about 20 samples a side (callers check counts first).
 */
export function mannWhitneyU(before: string, after: string): MannWhitneyResult {
  const a = decodeHistogram(before);
  const b = decodeHistogram(after);
  try {
    return rankTest(buckets(a), buckets(b));
  } finally {
    a.destroy();
    b.destroy();
  }
}

function rankTest(before: readonly [number, number][], after: readonly [number, number][]): MannWhitneyResult {
  const n1 = before.reduce((sum, [, c]) => sum + c, 0);
  const n2 = after.reduce((sum, [, c]) => sum + c, 0);
  let i = 0;
  let j = 0;
  let ranked = 0;
  let rankSumAfter = 0;
  let tieTerm = 0;
  // Merge-walk both ascending bucket lists; equal values form one tie group across both samples.
  while (i < before.length || j < after.length) {
    const va = before[i]?.[0] ?? Infinity;
    const vb = after[j]?.[0] ?? Infinity;
    const value = Math.min(va, vb);
    const ca = va === value ? (before[i++]?.[1] ?? 0) : 0;
    const cb = vb === value ? (after[j++]?.[1] ?? 0) : 0;
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
