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
 * - `proportion`: a two-proportion z-test on counts the Stats block keeps (message loss: lost of sent);
 * - `none`: tolerance only. A peak (SUT RSS) is one number per run with no distribution behind it
 *   in the report, so no test can be run on it; nor messages/s, as the per-second series keeps no
 *   message counts.
 * The latency tests read the request latency histogram, or with `of: 'rtt'` the messages' RTT histogram.
 */
export type SignificanceTest =
  | { readonly kind: 'latency'; readonly of?: Distribution }
  | { readonly kind: 'latency-quantile'; readonly quantile: number; readonly of?: Distribution }
  | { readonly kind: 'latency-max'; readonly of?: Distribution }
  | { readonly kind: 'series'; readonly read: (second: SeriesStats) => number | undefined }
  | { readonly kind: 'sut-cpu'; readonly perKiloRequest: boolean }
  | { readonly kind: 'proportion'; readonly count: (stats: Stats) => { readonly hits: number; readonly trials: number } | undefined }
  | { readonly kind: 'none'; readonly why?: string };

/**
 * The histogram a latency test reads: the requests' latency (default) or the messages' round trip
 * (`rtt`, `phaseHistograms.rtt`), whose samples are messages rather than requests.
 */
export type Distribution = 'latency' | 'rtt';

/** One compared metric. Stats metrics are compared for the total and each kind; report metrics once. */
export type ComparedMetric =
  | {
      readonly scope: 'stats';
      readonly name: string;
      readonly unit: MetricUnit;
      readonly better: Better;
      /** `undefined` only for a message figure of a block without messages (compared only where both have them). */
      readonly read: (stats: Stats) => number | undefined;
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

/**
 * Message figures, compared for a scope when both reports have them there (kinds that exchange
 * messages): RTT with the same tests as latency, on the RTT histograms; loss by its counts; msg/s
 * by tolerance alone.
 */
export const COMPARED_MESSAGE_METRICS: readonly ComparedMetric[] = [
  compared('rtt.p50', { kind: 'latency', of: 'rtt' }),
  compared('rtt.p99', { kind: 'latency-quantile', quantile: 0.99, of: 'rtt' }),
  compared('messagesPerSecond', { kind: 'none', why: 'no per-second series of messages: judged by tolerance alone' }),
  compared('lossRate', { kind: 'proportion', count: (s) => (s.messages ? { hits: s.messages.lost, trials: s.messages.sent } : undefined) }),
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
  ...COMPARED_MESSAGE_METRICS.map((m) => m.name),
  'errorRate',
  ...ERROR_CAUSES.map((cause) => `errorRate.${cause}`),
  ...COMPARED_SUT_METRICS.map((m) => m.name),
];
