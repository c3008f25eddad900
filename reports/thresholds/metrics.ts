import { ERROR_CAUSES } from '../../core/error-cause.js';
import { messageFiguresOf, type MessageFigures } from '../message-figures.js';
import type { MetricUnit } from '../metric-units.js';
import { HELD_PHASES, type LatencySummary, type Report, type Stats } from '../schema.js';

/**
 * The metrics a threshold (or a comparison) can name, each with its report unit, which direction
 * is better, and how to read it from a report. Stats metrics exist for the total and for every
 * request kind (`get-1k.p99`); report metrics (`sut.*`, `harness.*`) exist once per report.
 */

/** Which way a metric gets better. */
export type Better = 'higher' | 'lower';

/** A metric read from a {@link Stats} block (the total or one request kind). */
export interface StatsMetric {
  readonly scope: 'stats';
  readonly name: string;
  readonly unit: MetricUnit;
  readonly better: Better;
  /** The figure in `unit`; `undefined` only for a {@link StatsMetric.messageFigure} of a block without messages. */
  readonly read: (stats: Stats) => number | undefined;
  /**
   * Set for a latency figure of the successes only (`p99`, `serviceTime.max`): how many requests in
   * a thousand lie above the figure (p99: 10, p999: 1, max and mean: 0). When a larger share of the
   * requests failed, the failed ones would occupy the figure, so a threshold on it fails as not
   * measurable (evaluate-thresholds.ts). For `rtt.*` the share counts messages: lost / sent.
   */
  readonly perMilleAbove?: number;
  /**
   * True for the figures of message exchanges (`rtt.*`, `messagesPerSecond`, `lossRate`,
   * `messages.*`): only Stats blocks of kinds that sent messages (the `tcp-echo`, `websocket` and
   * `udp-echo` operations) have them, so `read` gives `undefined` elsewhere and never a 0.
   */
  readonly messageFigure?: boolean;
}

/** A metric of the whole report; `undefined` when the report did not measure it (no SUT). */
export interface ReportMetric {
  readonly scope: 'report';
  readonly name: string;
  readonly unit: MetricUnit;
  readonly better: Better;
  readonly read: (report: Report) => number | undefined;
  /** Why `read` can give undefined, for the error that refuses such a threshold. */
  readonly absentWhen: string;
}

/** One metric definition. */
export type MetricDefinition = StatsMetric | ReportMetric;

const PERCENTILES = ['p50', 'p90', 'p95', 'p99', 'p999', 'max', 'mean'] as const;

/**
 * Requests in a thousand above each figure. `mean` is 0 like `max`: every request weighs in a mean
 * of all requests, so one failed request (whose latency is unknown) already moves it by an unknown amount.
 */
const PER_MILLE_ABOVE: Readonly<Record<(typeof PERCENTILES)[number], number>> = { p50: 500, p90: 100, p95: 50, p99: 10, p999: 1, max: 0, mean: 0 };

function stat(name: string, unit: MetricUnit, better: Better, read: (stats: Stats) => number): StatsMetric {
  return { scope: 'stats', name, unit, better, read };
}

function whole(name: string, unit: MetricUnit, better: Better, read: (report: Report) => number | undefined, absentWhen = 'no SUT process was sampled'): ReportMetric {
  return { scope: 'report', name, unit, better, read, absentWhen };
}

/** A figure of a hold run (many-connections), absent from any other report. */
function held(name: string, unit: MetricUnit, better: Better, read: (report: Report) => number | undefined, absentWhen = 'it is not a many-connections run'): ReportMetric {
  return whole(`held.${name}`, unit, better, read, absentWhen);
}

/**
 * `p50`…`mean` of one latency summary, under an optional prefix (`ttfb.p99`). `ofEveryRequest`: the
 * summary stands for whole requests (latency, service time), so failed requests are missing from
 * it; phases (connect, ttfb…) count the phases that happened and are not gated on failures.
 */
function latencyMetrics(prefix: string, pick: (stats: Stats) => LatencySummary, ofEveryRequest = false): StatsMetric[] {
  return PERCENTILES.map((p) => ({
    ...stat(`${prefix}${p}`, 'ms', 'lower', (s) => pick(s)[p]),
    ...(ofEveryRequest ? { perMilleAbove: PER_MILLE_ABOVE[p] } : {}),
  }));
}

/** A figure of the message exchanges: `undefined` for a block without messages. */
function messageStat(name: string, unit: MetricUnit, better: Better, read: (figures: MessageFigures) => number, perMilleAbove?: number): StatsMetric {
  return {
    scope: 'stats', name, unit, better, messageFigure: true,
    read: (stats) => {
      const figures = messageFiguresOf(stats);
      return figures === undefined ? undefined : read(figures);
    },
    ...(perMilleAbove !== undefined ? { perMilleAbove } : {}),
  };
}

/**
 * The message figures. `rtt.*` percentiles are of the verified echoes only, so they are gated like
 * request latency, on messages: a lost message would occupy the tail (evaluate-thresholds.ts).
 */
const MESSAGE_METRICS: readonly StatsMetric[] = [
  ...PERCENTILES.map((p) => messageStat(`rtt.${p}`, 'ms', 'lower', (m) => m.rttMs[p], PER_MILLE_ABOVE[p])),
  messageStat('messagesPerSecond', 'mps', 'higher', (m) => m.messagesPerSecond),
  messageStat('lossRate', 'ratio', 'lower', (m) => m.lossRate),
  messageStat('messages.sent', 'count', 'higher', (m) => m.messages.sent),
  messageStat('messages.received', 'count', 'higher', (m) => m.messages.received),
  messageStat('messages.lost', 'count', 'lower', (m) => m.messages.lost),
  messageStat('messages.reordered', 'count', 'lower', (m) => m.messages.reordered),
  messageStat('messages.duplicates', 'count', 'lower', (m) => m.messages.duplicates),
];

function errorShare(stats: Stats, count: number): number {
  return stats.requests > 0 ? count / stats.requests : 0;
}

const DEFINITIONS: readonly MetricDefinition[] = [
  stat('successRate', 'ratio', 'higher', (s) => s.successRate),
  stat('rps', 'rps', 'higher', (s) => s.rps),
  stat('throughputMbps', 'mbps', 'higher', (s) => s.throughputMbps),
  stat('requests', 'count', 'higher', (s) => s.requests),
  stat('successes', 'count', 'higher', (s) => s.successes),
  stat('failures', 'count', 'lower', (s) => s.failures),
  ...latencyMetrics('', (s) => s.latencyMs, true),
  ...latencyMetrics('serviceTime.', (s) => s.serviceTimeMs, true),
  ...latencyMetrics('connect.', (s) => s.phasesMs.connect),
  ...latencyMetrics('proxyHandshake.', (s) => s.phasesMs.proxyHandshake),
  ...latencyMetrics('tls.', (s) => s.phasesMs.tls),
  ...latencyMetrics('ttfb.', (s) => s.phasesMs.ttfb),
  // Counts answer "no timeout at all" (errors.timeout==0); shares answer "under 0.1 %" whatever the load.
  ...ERROR_CAUSES.map((cause) => stat(`errors.${cause}`, 'count', 'lower', (s) => s.errors[cause] ?? 0)),
  stat('errorRate', 'ratio', 'lower', (s) => errorShare(s, s.failures)),
  ...ERROR_CAUSES.map((cause) => stat(`errorRate.${cause}`, 'ratio', 'lower', (s) => errorShare(s, s.errors[cause] ?? 0))),
  stat('backoffs', 'count', 'lower', (s) => s.backoffs),
  stat('staleRetries', 'count', 'lower', (s) => s.staleRetries),
  stat('late', 'count', 'lower', (s) => s.late),
  stat('dropped', 'count', 'lower', (s) => s.dropped),
  stat('connections.opened', 'count', 'lower', (s) => s.connections.opened),
  stat('connections.reuseRatio', 'ratio', 'higher', (s) => s.connections.reuseRatio),
  // Reports written before the field existed: opened over the same measured time as rps.
  stat('connections.perSecond', 'cps', 'higher', (s) => s.connections.perSecond ?? (s.requests > 0 ? (s.connections.opened * s.rps) / s.requests : 0)),
  ...MESSAGE_METRICS,
  whole('sut.rssPeakMiB', 'mib', 'lower', (r) => r.sut?.rssPeakMiB),
  whole('sut.rssMeanMiB', 'mib', 'lower', (r) => r.sut?.rssMiB.mean),
  whole('sut.rssSlopeMiBPerMin', 'mibPerMin', 'lower', (r) => r.sut?.rssSlopeMiBPerMin),
  whole('sut.cpuPercentMean', 'percent', 'lower', (r) => r.sut?.cpuPercentMean),
  whole('sut.cpuPercentPeak', 'percent', 'lower', (r) => r.sut?.cpuPercent.peak),
  whole('sut.cpuMsPer1kRequests', 'ms', 'lower', (r) => r.sut?.cpuMsPer1kRequests),
  whole('sut.fdsPeak', 'count', 'lower', (r) => r.sut?.fdsPeak),
  whole('sut.threadsPeak', 'count', 'lower', (r) => r.sut?.threadsPeak),
  whole('sut.startupMs', 'ms', 'lower', (r) => r.sut?.startupMs),
  held('established', 'count', 'higher', (r) => r.held?.established),
  held('establishedRatio', 'ratio', 'higher', (r) => (r.held && r.held.target > 0 ? r.held.established / r.held.target : undefined)),
  held('failed', 'count', 'lower', (r) => r.held?.failed),
  held('closedEarly', 'count', 'lower', (r) => r.held?.closedEarly),
  held('sutRssPerThousandMiB', 'mib', 'lower', (r) => r.held?.sutRssPerThousandMiB ?? undefined, 'it is not a many-connections run, no SUT was sampled or no connection was established'),
  ...HELD_PHASES.flatMap((phase) => PERCENTILES.map((p) => held(`${phase}.${p}`, 'ms', 'lower', (r) => r.held?.phasesMs[phase][p]))),
  whole('harness.rssPeakMiB', 'mib', 'lower', (r) => r.harness.rssPeakMiB),
  whole('harness.cpuPercent', 'percent', 'lower', (r) => r.harness.cpuPercent),
  whole('harness.cpuUsPerRequest', 'us', 'lower', (r) => r.harness.cpuUsPerRequest),
  whole('harness.eventLoopDelayP99Ms', 'ms', 'lower', (r) => r.harness.eventLoopDelayP99Ms),
];

const BY_NAME: ReadonlyMap<string, MetricDefinition> = new Map(DEFINITIONS.map((d) => [d.name, d]));

/**
 * Every metric a threshold may name (for `--help` and error messages). Stats metrics may be
 * prefixed with a request kind, `get-1k.successRate`; `errors.<cause>` are counts and
 * `errorRate.<cause>` shares of requests (0..1) for each cause of harness/transports/error-cause.ts;
 * the message figures (`rtt.p99`, `messagesPerSecond`, `lossRate`, `messages.*`) exist for kinds
 * that exchange messages.
 */
export const THRESHOLD_METRICS: readonly string[] = DEFINITIONS.map((d) => d.name);

/** The definition of a metric by its name (without a kind prefix). */
export function metricDefinition(name: string): MetricDefinition | undefined {
  return BY_NAME.get(name);
}

/**
 * Splits `get-1k.ttfb.p99` into the kind `get-1k` and the metric `ttfb.p99`. A name that is a metric
 * by itself is never split; otherwise the longest known stats metric after a dot wins, so kinds
 * may contain dots. `undefined` when no split names a metric.
 */
export function splitMetricName(name: string): { readonly kind?: string; readonly definition: MetricDefinition } | undefined {
  const exact = BY_NAME.get(name);
  if (exact) return { definition: exact };
  for (let dot = name.indexOf('.'); dot > 0; dot = name.indexOf('.', dot + 1)) {
    const definition = BY_NAME.get(name.slice(dot + 1));
    if (definition?.scope === 'stats') return { kind: name.slice(0, dot), definition };
  }
  return undefined;
}
