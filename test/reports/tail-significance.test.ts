import { describe, expect, it } from 'vitest';
import { compareReports, type Comparison, type MetricComparison } from '../../reports/compare/compare-reports.js';
import { decodeBuckets, type Buckets } from '../../reports/compare/histogram-buckets.js';
import { maxExceedanceTest, quantileBootstrap } from '../../reports/compare/tail-tests.js';
import { createHistogram, encodeHistogram } from '../../reports/histogram-codec.js';
import type { Report } from '../../reports/schema.js';
import { latencySamples, syntheticReport } from '../support/synthetic-report.js';

/**
 * compare judges p95/p99 by a bootstrap of the quantile and max by an exceedance test, which look at
 * the tail; p50 keeps Mann–Whitney, which looks at the whole distribution and hardly moves when only
 * the slowest 1–2 % of requests change (reports/compare/tail-tests.ts).
 */

const REQUESTS = 6000;
const SECONDS = 10;

function reportOf(latenciesMs: readonly number[]): Report {
  return syntheticReport({
    kinds: { get: { latenciesMs, requestsPerSecond: Array.from({ length: SECONDS }, () => REQUESTS / SECONDS) } },
  });
}

function row(comparison: Comparison, metric: string): MetricComparison {
  const found = comparison.metrics.find((m) => m.scope === 'total' && m.metric === metric);
  if (!found) throw new Error(`no ${metric} row`);
  return found;
}

/** The slowest `share` of `samples` made `factor` times slower; every other sample as it was. */
function slowerTail(samples: readonly number[], share: number, factor: number): number[] {
  const cut = [...samples].sort((a, b) => a - b)[Math.floor(samples.length * (1 - share))] ?? Infinity;
  return samples.map((ms) => (ms >= cut ? ms * factor : ms));
}

function bucketsOf(samplesMs: readonly number[]): Buckets {
  const histogram = createHistogram();
  for (const ms of samplesMs) histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
  const encoded = encodeHistogram(histogram);
  histogram.destroy();
  return decodeBuckets(encoded);
}

describe('compare on a change of the tail only', () => {
  const body = latencySamples(REQUESTS, 10, 7);
  const baseline = reportOf(body);

  // Clearly above 1 %: with the slowest 1 % moved, p99 itself (the 5,940th of 6,000) stays put, and
  // with 1.2 % it sits a dozen ranks from the unmoved body, within a resample's reach.
  it.each([0.015, 0.02])('flags p99 and max when the slowest %f of requests got 3× slower, not p50', (share) => {
    const comparison = compareReports(baseline, reportOf(slowerTail(body, share, 3)));
    expect(row(comparison, 'p50')).toMatchObject({ change: 0, significant: false, verdict: 'no change' });
    expect(row(comparison, 'p99')).toMatchObject({ significant: true, verdict: 'regression' });
    expect(row(comparison, 'max')).toMatchObject({ significant: true, verdict: 'regression' });
    // p95 sits in the body, which did not move.
    expect(row(comparison, 'p95')).toMatchObject({ change: 0, verdict: 'no change' });
  });

  it('does not flag a tail that moved the better way as a regression', () => {
    const comparison = compareReports(reportOf(slowerTail(body, 0.015, 3)), baseline);
    expect(row(comparison, 'p99')).toMatchObject({ significant: true, verdict: 'improvement' });
  });
});

describe('compare on two runs of the same distribution', () => {
  it.each([
    [1, 2],
    [3, 4],
    [5, 6],
  ])('flags no latency metric (seeds %i and %i)', (seedBefore, seedAfter) => {
    const comparison = compareReports(reportOf(latencySamples(REQUESTS, 10, seedBefore)), reportOf(latencySamples(REQUESTS, 10, seedAfter)));
    for (const metric of ['p50', 'p95', 'p99', 'max']) {
      expect(row(comparison, metric), metric).toMatchObject({ significant: false, verdict: 'no change' });
    }
  });
});

describe('the tail tests on their own', () => {
  it('flag same-distribution pairs at about the rate α promises (100 pairs, α = 0.05)', () => {
    let p95 = 0;
    let p99 = 0;
    let max = 0;
    for (let pair = 0; pair < 100; pair++) {
      const before = bucketsOf(latencySamples(2000, 10, 1000 + 2 * pair));
      const after = bucketsOf(latencySamples(2000, 10, 1001 + 2 * pair));
      if (quantileBootstrap(before, after, 0.95).pValue < 0.05) p95++;
      if (quantileBootstrap(before, after, 0.99).pValue < 0.05) p99++;
      if (maxExceedanceTest(before, after).pValue < 0.05) max++;
    }
    // 5 expected of each; 12 is beyond the 99.9th percentile of Binomial(100, 0.05).
    expect([p95, p99, max].every((flagged) => flagged <= 12), JSON.stringify({ p95, p99, max })).toBe(true);
  });

  it('give the same p-value for the same two histograms every time', () => {
    const before = bucketsOf(latencySamples(2000, 10, 11));
    const after = bucketsOf(latencySamples(2000, 11, 12));
    expect(quantileBootstrap(before, after, 0.99)).toEqual(quantileBootstrap(before, after, 0.99));
  });

  it('compute the exceedance p-value exactly: the top m of the pooled samples all from one side', () => {
    const before = bucketsOf(Array.from({ length: 100 }, (_, i) => 1 + i * 0.01));
    // 94 values inside the baseline's range and 6 above its max (1.99 ms).
    const after = bucketsOf([...Array.from({ length: 94 }, (_, i) => 1 + i * 0.01), 3, 4, 5, 6, 7, 8]);
    const expected = 2 * ((100 * 99 * 98 * 97 * 96 * 95) / (200 * 199 * 198 * 197 * 196 * 195));
    expect(maxExceedanceTest(before, after).pValue).toBeCloseTo(expected, 12);
    expect(maxExceedanceTest(after, before).pValue).toBeCloseTo(expected, 12);
    // One slow outlier is never significant.
    const one = bucketsOf([...Array.from({ length: 99 }, (_, i) => 1 + i * 0.01), 50]);
    expect(maxExceedanceTest(before, one).pValue).toBeGreaterThan(0.5);
  });

  it('keeps the bootstrap p-value at 1 for identical histograms and near its floor for a clear shift', () => {
    const samples = latencySamples(2000, 10, 21);
    expect(quantileBootstrap(bucketsOf(samples), bucketsOf(samples), 0.99).pValue).toBeGreaterThan(0.5);
    expect(quantileBootstrap(bucketsOf(samples), bucketsOf(samples.map((ms) => ms * 2)), 0.99).pValue).toBeLessThan(0.002);
  });
});
