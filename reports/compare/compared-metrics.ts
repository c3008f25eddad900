import { ERROR_CAUSES, type ErrorCause } from '../../core/error-cause.js';
import type { MetricUnit } from '../metric-units.js';
import type { Report, SeriesStats, Stats } from '../schema.js';
import { metricDefinition, type Better } from '../thresholds/metrics.js';

/**
 * What `compare` puts side by side, and how each metric's change is tested for significance:
 * - `latency`: Mann–Whitney U on the two latency histograms (the whole distribution), for the body (p50);
 * - `latency-quantile`: a bootstrap of the difference of that quantile (p95, p99) from the two
 *   histograms' buckets, which looks at the tail the metric names (tail-tests.ts);
 * - `latency-max`: an exceedance test, how many requests of one report lie above the other's max;
 * - `series`: Welch's t-test over the per-second series (rates: rps, success rate, error shares);
 * - `sut-cpu`: Welch's t-test over the SUT's CPU samples, as percent of a core or (`perKiloRequest`)
 *   as CPU ms per 1000 requests of the second each sample fell in;
 * - `none`: tolerance only. A peak (SUT RSS) is one number per run with no distribution behind it
 *   in the report, so no test can be run on it.
 */
export type SignificanceTest =
  | { readonly kind: 'latency' }
  | { readonly kind: 'latency-quantile'; readonly quantile: number }
  | { readonly kind: 'latency-max' }
  | { readonly kind: 'series'; readonly read: (second: SeriesStats) => number | undefined }
  | { readonly kind: 'sut-cpu'; readonly perKiloRequest: boolean }
  | { readonly kind: 'none' };

/** One compared metric. Stats metrics are compared for the total and each kind; report metrics once. */
export type ComparedMetric =
  | {
      readonly scope: 'stats';
      readonly name: string;
      readonly unit: MetricUnit;
      readonly better: Better;
      readonly read: (stats: Stats) => number;
      readonly test: SignificanceTest;
    }
  | {
      readonly scope: 'report';
      readonly name: string;
      readonly unit: MetricUnit;
      readonly better: Better;
      readonly read: (report: Report) => number | undefined;
      readonly test: SignificanceTest;
    };

function share(count: number, requests: number): number | undefined {
  // A second without requests has no rate; leaving it out keeps it from reading as 0 %.
  return requests > 0 ? count / requests : undefined;
}

function compared(name: string, test: SignificanceTest): ComparedMetric {
  const definition = metricDefinition(name);
  if (!definition) throw new Error(`compared metric ${name} has no definition`);
  return { ...definition, test } as ComparedMetric;
}

const LATENCY: SignificanceTest = { kind: 'latency' };

/** Metrics compared for the total and for each request kind, in table order. */
export const COMPARED_STATS_METRICS: readonly ComparedMetric[] = [
  compared('successRate', { kind: 'series', read: (s) => share(s.successes, s.requests) }),
  compared('rps', { kind: 'series', read: (s) => s.rps }),
  // The series keeps received bytes only; sent bytes follow the same requests, so the rate still tests.
  compared('throughputMbps', { kind: 'series', read: (s) => (s.bytesIn * 8) / 1e6 }),
  compared('p50', LATENCY),
  compared('p95', { kind: 'latency-quantile', quantile: 0.95 }),
  compared('p99', { kind: 'latency-quantile', quantile: 0.99 }),
  compared('max', { kind: 'latency-max' }),
];

/** The error-share row of one cause (`errorRate.timeout`), compared when either report saw that cause. */
export function comparedErrorRate(cause: ErrorCause): ComparedMetric {
  return compared(`errorRate.${cause}`, { kind: 'series', read: (s) => share(s.errors[cause] ?? 0, s.requests) });
}

/** Causes that occurred in either block, in the closed union's order. */
export function causesSeen(before: Stats, after: Stats): ErrorCause[] {
  return ERROR_CAUSES.filter((cause) => (before.errors[cause] ?? 0) > 0 || (after.errors[cause] ?? 0) > 0);
}

/** SUT metrics, compared once (total scope) when both reports sampled a SUT. */
export const COMPARED_SUT_METRICS: readonly ComparedMetric[] = [
  compared('sut.rssPeakMiB', { kind: 'none' }),
  compared('sut.cpuPercentMean', { kind: 'sut-cpu', perKiloRequest: false }),
  compared('sut.cpuMsPer1kRequests', { kind: 'sut-cpu', perKiloRequest: true }),
];

/** Names a tolerance may be set for: the compared metrics, plus `errorRate` for every cause at once. */
export const TOLERANCE_METRICS: readonly string[] = [
  ...COMPARED_STATS_METRICS.map((m) => m.name),
  'errorRate',
  ...ERROR_CAUSES.map((cause) => `errorRate.${cause}`),
  ...COMPARED_SUT_METRICS.map((m) => m.name),
];
