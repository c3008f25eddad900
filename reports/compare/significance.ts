import type { Report, SeriesPoint, SeriesStats, Stats } from '../schema.js';
import type { Distribution, SignificanceTest } from './compared-metrics.js';
import { decodeBuckets, type Buckets } from './histogram-buckets.js';
import { mannWhitneyU } from './mann-whitney.js';
import { twoProportionTest } from './proportion-test.js';
import { maxExceedanceTest, quantileBootstrap } from './tail-tests.js';
import { welchTTest } from './welch-t-test.js';

/**
 * Whether a metric's change is more than noise, by the test its definition names. With too little
 * data the answer is "not significant" (never a guess), so a short run cannot fail a gate on luck.
 */

/** Minimum latency samples per report for the rank test's normal approximation to hold. */
export const MIN_LATENCY_SAMPLES = 20;
/**
 * Minimum requests above the quantile (n·(1 − q), rounded down) per report for its bootstrap. With
 * fewer the quantile is the sample's max, where a bootstrap fails (a resample's max never exceeds
 * the sample's): in simulation p99 of 50 samples a side was flagged in 12 % of same-distribution
 * pairs at α = 0.05, and from 2 samples above it at most in the expected 5 %.
 */
export const MIN_TAIL_SAMPLES = 2;
/** Minimum seconds (or SUT samples) per report for a t-test over a series. */
export const MIN_SERIES_POINTS = 3;

/** One report's data for one scope (`total` or a kind). */
export interface ScopeData {
  readonly report: Report;
  /** `total` or a request kind. */
  readonly scope: string;
  readonly stats: Stats;
  /** Per-second figures of this scope, partial edge seconds removed. */
  readonly series: readonly SeriesStats[];
}

/** Outcome of a significance test. `significant: null` means the metric is judged by tolerance alone. */
export interface Significance {
  readonly significant: boolean | null;
  readonly pValue: number | null;
  /** Why no test was run, in plain words. */
  readonly note?: string;
}

/** The series points of the measured seconds: the partial first and last ones left out. */
function fullSeconds(report: Report): readonly SeriesPoint[] {
  // A run starts and stops mid-second, so its first and last wall-clock seconds hold an arbitrary
  // fraction of a second's requests; their rates would only add noise (and bias) to the test.
  return report.series.length > 4 ? report.series.slice(1, -1) : report.series;
}

/** The per-second series of a scope, without the partial first and last seconds. */
export function scopeSeries(report: Report, scope: string): SeriesStats[] {
  return fullSeconds(report).flatMap((point) => {
    const stats = scope === 'total' ? point.totals : point.byKind[scope];
    return stats ? [stats] : [];
  });
}

/**
 * Runs `test` on the two sides; `alpha` is the significance level. `cache` keeps each latency
 * test's result per scope, so a verdict asked for twice is tested once.
 */
export function testSignificance(test: SignificanceTest, before: ScopeData, after: ScopeData, alpha: number, cache: Map<string, Significance>): Significance {
  switch (test.kind) {
    case 'none':
      return { significant: null, pValue: null, note: test.why ?? 'one figure per run: judged by tolerance alone' };
    case 'latency':
    case 'latency-quantile':
    case 'latency-max': {
      const key = `${test.kind} ${test.kind === 'latency-quantile' ? test.quantile : ''} ${test.of ?? 'latency'} ${before.scope}`;
      const cached = cache.get(key) ?? latencyTest(test, before.stats, after.stats, alpha);
      cache.set(key, cached);
      return cached;
    }
    case 'series':
      return welch(values(before.series, test.read), values(after.series, test.read), alpha, 'seconds');
    case 'sut-cpu':
      return welch(cpuSamples(before.report, test.perKiloRequest), cpuSamples(after.report, test.perKiloRequest), alpha, 'SUT samples');
    case 'proportion':
      return proportion(test.count(before.stats), test.count(after.stats), alpha);
  }
}

/** Two shares of counts (message loss): a two-proportion z-test, from 20 trials a side. */
function proportion(before: { hits: number; trials: number } | undefined, after: { hits: number; trials: number } | undefined, alpha: number): Significance {
  if (!before || !after || before.trials < MIN_LATENCY_SAMPLES || after.trials < MIN_LATENCY_SAMPLES) {
    return { significant: false, pValue: null, note: `fewer than ${MIN_LATENCY_SAMPLES} messages sent: not tested` };
  }
  return decided(twoProportionTest(before.hits, before.trials, after.hits, after.trials).pValue, alpha);
}

/** The samples a latency test reads: requests' latency, or messages' RTT (absent: none). */
function distributionOf(stats: Stats, of: Distribution): { readonly count: number; readonly histogram: string; readonly what: string } {
  if (of === 'rtt') return { count: stats.rttMs?.count ?? 0, histogram: stats.phaseHistograms.rtt ?? '', what: 'verified messages' };
  return { count: stats.latencyMs.count, histogram: stats.histogram, what: 'successful requests' };
}

type LatencyTest = Extract<SignificanceTest, { kind: 'latency' | 'latency-quantile' | 'latency-max' }>;

/** The body (p50) by Mann–Whitney; p95/p99 by a bootstrap of the quantile; max by exceedance. */
function latencyTest(test: LatencyTest, beforeStats: Stats, afterStats: Stats, alpha: number): Significance {
  const before = distributionOf(beforeStats, test.of ?? 'latency');
  const after = distributionOf(afterStats, test.of ?? 'latency');
  if (before.count < MIN_LATENCY_SAMPLES || after.count < MIN_LATENCY_SAMPLES) {
    return { significant: false, pValue: null, note: `fewer than ${MIN_LATENCY_SAMPLES} ${before.what}: not tested` };
  }
  if (test.kind === 'latency') {
    const { pValue } = mannWhitneyU(before.histogram, after.histogram);
    return { significant: pValue < alpha, pValue };
  }
  const [a, b] = [decodeBuckets(before.histogram), decodeBuckets(after.histogram)];
  if (test.kind === 'latency-max') return decided(maxExceedanceTest(a, b).pValue, alpha);
  const tail = Math.min(tailSamples(a, test.quantile), tailSamples(b, test.quantile));
  if (tail < MIN_TAIL_SAMPLES) {
    return { significant: false, pValue: null, note: `fewer than ${MIN_TAIL_SAMPLES} ${before.what} above p${formatQuantile(test.quantile)}: not tested` };
  }
  return decided(quantileBootstrap(a, b, test.quantile).pValue, alpha);
}

function decided(pValue: number, alpha: number): Significance {
  return { significant: pValue < alpha, pValue };
}

/** Requests above the `quantile` of a sample: n·(1 − q), rounded down. */
function tailSamples(buckets: Buckets, quantile: number): number {
  return Math.floor(buckets.total * (1 - quantile) + 1e-9);
}

/** 0.99 → `99`, 0.999 → `99.9`. */
function formatQuantile(quantile: number): string {
  return String(Number((quantile * 100).toPrecision(6)));
}

function welch(before: number[], after: number[], alpha: number, what: string): Significance {
  if (before.length < MIN_SERIES_POINTS || after.length < MIN_SERIES_POINTS) {
    return { significant: false, pValue: null, note: `fewer than ${MIN_SERIES_POINTS} ${what}: not tested` };
  }
  const { pValue } = welchTTest(before, after);
  return { significant: pValue < alpha, pValue };
}

function values(series: readonly SeriesStats[], read: (second: SeriesStats) => number | undefined): number[] {
  return series.flatMap((second) => {
    const value = read(second);
    return value === undefined ? [] : [value];
  });
}

/**
 * The SUT's CPU samples, as percent of a core or, per 1000 requests, as the CPU ms of a second
 * (percent × 10) over the requests completed in the second the sample fell in. Samples outside
 * the full seconds have no second to divide by and are left out.
 */
function cpuSamples(report: Report, perKiloRequest: boolean): number[] {
  const samples = report.sut?.samples ?? [];
  if (!perKiloRequest) return samples.map((sample) => sample.cpuPercent);
  const requestsAt = new Map(fullSeconds(report).map((point) => [point.t, point.totals.requests]));
  return samples.flatMap((sample) => {
    const requests = requestsAt.get(Math.floor(sample.t)) ?? 0;
    return requests > 0 ? [(sample.cpuPercent * 10 * 1000) / requests] : [];
  });
}
