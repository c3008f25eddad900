import { studentTTwoSidedP } from './distributions.js';

/** Result of a two-sample test: the statistic and its two-sided p-value. */
export interface WelchResult {
  /** Welch's t: (mean(after) − mean(before)) / standard error; positive when `after` is larger. */
  readonly t: number;
  /** Welch–Satterthwaite degrees of freedom. */
  readonly df: number;
  readonly pValue: number;
}

function meanAndVariance(values: readonly number[]): { mean: number; variance: number } {
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  const squares = values.reduce((sum, v) => sum + (v - mean) ** 2, 0);
  return { mean, variance: squares / (values.length - 1) };
}

/**
 * Welch's unequal-variances t-test of two samples (as autocannon-compare does for per-second
 * rates): does `after` have a different mean than `before`? Each sample needs at least 2 values.
 */
export function welchTTest(before: readonly number[], after: readonly number[]): WelchResult {
  if (before.length < 2 || after.length < 2) throw new RangeError('welchTTest needs at least 2 values per sample');
  const a = meanAndVariance(before);
  const b = meanAndVariance(after);
  const va = a.variance / before.length;
  const vb = b.variance / after.length;
  const se = Math.sqrt(va + vb);
  if (se === 0) {
    // Two constant series: identical means are no change, different ones a certain one.
    const same = a.mean === b.mean;
    return { t: same ? 0 : Math.sign(b.mean - a.mean) * Infinity, df: before.length + after.length - 2, pValue: same ? 1 : 0 };
  }
  const t = (b.mean - a.mean) / se;
  const df = (va + vb) ** 2 / (va ** 2 / (before.length - 1) + vb ** 2 / (after.length - 1));
  return { t, df, pValue: studentTTwoSidedP(t, df) };
}
