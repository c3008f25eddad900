import { describe, expect, it } from 'vitest';
import { createHistogram, encodeHistogram } from '../../reports/histogram-codec.js';
import { normalTwoSidedP, studentTTwoSidedP } from '../../reports/compare/distributions.js';
import { mannWhitneyU } from '../../reports/compare/mann-whitney.js';
import { welchTTest } from '../../reports/compare/welch-t-test.js';

/** Encodes microsecond values as a report histogram. */
function encoded(valuesUs: readonly number[]): string {
  const h = createHistogram();
  for (const v of valuesUs) h.recordValue(v);
  const text = encodeHistogram(h);
  h.destroy();
  return text;
}

// Reference values from SciPy 1.17 (stats.t.sf, stats.norm.sf, ttest_ind(equal_var=False),
// mannwhitneyu(method='asymptotic', use_continuity=True)).
describe('distributions', () => {
  it.each([
    [2.228, 10, 0.05001177],
    [0.5, 3, 0.65144796],
    [4, 200, 8.9130952e-5],
  ])('Student t two-sided p of t=%f with %f df is %f', (t, df, p) => {
    expect(studentTTwoSidedP(t, df)).toBeCloseTo(p, 6);
  });

  it('gives the two-sided normal p of 1.96 as 0.05', () => {
    expect(normalTwoSidedP(1.96)).toBeCloseTo(0.04999579, 6);
  });
});

describe('welchTTest', () => {
  it('matches SciPy on unequal variances', () => {
    const result = welchTTest([1, 2, 3, 4, 5], [2, 4, 6, 8, 10]);
    expect(result.t).toBeCloseTo(1.8973666, 6);
    expect(result.df).toBeCloseTo(5.8823529, 6);
    expect(result.pValue).toBeCloseTo(0.10753119, 6);
  });

  it.each([
    ['identical constant series', [5, 5, 5], [5, 5, 5], 1],
    ['different constant series', [5, 5, 5], [6, 6, 6], 0],
  ])('calls %s p=%f', (_name, before, after, p) => {
    expect(welchTTest(before, after).pValue).toBe(p);
  });
});

describe('mannWhitneyU on histograms', () => {
  it('matches SciPy for two separated samples', () => {
    const result = mannWhitneyU(encoded([1, 2, 3, 4, 5]), encoded([6, 7, 8, 9, 10]));
    expect(result.u).toBe(25);
    expect(result.z).toBeGreaterThan(0);
    expect(result.pValue).toBeCloseTo(0.01218578, 6);
  });

  it('matches SciPy with ties inside and across samples', () => {
    const result = mannWhitneyU(encoded([1, 2, 2, 3, 3, 3, 4, 7, 7, 9]), encoded([2, 3, 3, 5, 6, 6, 6, 8, 9, 9, 9, 10]));
    expect(result.u).toBe(10 * 12 - 33.5);
    expect(result.pValue).toBeCloseTo(0.08299201, 6);
  });

  it('finds no difference between a histogram and itself', () => {
    const same = encoded(Array.from({ length: 500 }, (_, i) => 1000 + (i % 97) * 13));
    const result = mannWhitneyU(same, same);
    expect(result.countBefore).toBe(500);
    expect(result.pValue).toBe(1);
  });
});
