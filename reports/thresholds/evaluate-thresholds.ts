import { UsageError } from '../../core/errors.js';
import { formatNumber } from '../metric-units.js';
import type { Report, Stats, ThresholdResult } from '../schema.js';
import { metricDefinition, type MetricDefinition, type StatsMetric } from './metrics.js';
import { messageFigureProblem, messageKindsOf } from './check-applicable.js';
import type { Threshold } from './parse-threshold.js';
import { selectProxy } from './proxy-selector.js';

/**
 * Evaluates absolute thresholds against a report (k6's CI gate without a baseline). Each result
 * carries the measured value in the metric's report unit, so a failure can be printed with numbers.
 *
 * A latency figure (`p99`, `serviceTime.max`, at the total or per kind) is measured over successful
 * requests only. When more requests failed than lie above the figure — more than 1 % for p99, any
 * for max and mean — the failed ones would occupy it, so the threshold fails whatever the successes
 * measured, with a `reason` saying so: a proxy timing out a third of its requests must not pass
 * `p99<50ms` on the two thirds that came back.
 *
 * A message figure (`rtt.p99`, `lossRate`…) of a block without messages — every exchange of the
 * kind failed before its first message — fails as not measured, with `value` null: never a 0 that
 * would pass `lossRate<0.01`. RTT percentiles are gated like latency, on messages lost of sent.
 *
 * @throws UsageError when a threshold cannot be evaluated on this report (a request kind it does not
 *   have, a SUT metric when no SUT was measured, a message figure of a kind or scenario whose
 *   operations exchange no messages): an unevaluable gate must not pass silently
 */
export function evaluateThresholds(report: Report, thresholds: readonly Threshold[]): ThresholdResult[] {
  return thresholds.map((threshold) => {
    const { value, definition, stats, proxy } = measure(report, threshold);
    const reason = value === null
      ? notMeasuredReason(threshold)
      : definition.scope === 'stats' && stats ? unmeasurableReason(definition, stats, threshold) : undefined;
    return {
      expression: threshold.expression,
      metric: threshold.metric,
      ...(threshold.kind !== undefined ? { kind: threshold.kind } : {}),
      ...(proxy !== undefined ? { proxy } : {}),
      op: threshold.op,
      limit: threshold.limit,
      value,
      passed: reason === undefined && value !== null && holds(value, threshold.op, threshold.limit),
      ...(reason !== undefined ? { reason } : {}),
    };
  });
}

/** The measured value (null: a message figure the block lacks), with the definition and (for a stats metric) the block it was read from. */
interface Measured {
  readonly value: number | null;
  readonly definition: MetricDefinition;
  readonly stats?: Stats;
  /** The byProxy key read, for a threshold that names a proxy. */
  readonly proxy?: string;
}

function measure(report: Report, threshold: Threshold): Measured {
  const field = `threshold '${threshold.expression}'`;
  const definition = metricDefinition(threshold.metric);
  if (!definition) throw new UsageError(field, `unknown metric '${threshold.metric}'`);
  if (definition.scope === 'report') {
    if (threshold.kind !== undefined) {
      throw new UsageError(field, `${definition.name} belongs to the whole run and takes no request kind`);
    }
    const value = definition.read(report);
    if (value === undefined) {
      throw new UsageError(field, `the report has no measurement for ${definition.name} (${definition.absentWhen})`);
    }
    return { value, definition };
  }
  if (threshold.proxy !== undefined) return measureProxy(report, threshold, definition, field);
  const stats = threshold.kind === undefined ? report.totals : report.byKind[threshold.kind];
  if (!stats) {
    const kinds = Object.keys(report.byKind).join(', ') || 'none';
    throw new UsageError(field, `the report has no request kind '${threshold.kind}' (kinds: ${kinds})`);
  }
  const value = definition.read(stats);
  if (value === undefined) {
    // A scenario without message kinds could never measure it: a usage error, as before a run.
    const problem = messageFigureProblem(threshold, { scenario: report.scenario, messageKinds: messageKindsOf(report.config.mix ?? []) });
    if (problem !== undefined) throw new UsageError(field, problem);
  }
  return { value: value ?? null, definition, stats };
}

/** Why a message figure the block lacks fails: no message was sent, so there is nothing to judge. */
function notMeasuredReason(threshold: Threshold): string {
  const name = threshold.kind !== undefined ? `${threshold.kind}.${threshold.metric}` : threshold.metric;
  return `${name} not measured: no message was sent (every exchange failed before its first message)`;
}

/** A stats metric of the `byProxy` entry the threshold's `proxy[…]` prefix selects. */
function measureProxy(report: Report, threshold: Threshold, definition: StatsMetric, field: string): Measured {
  const selected = selectProxy(threshold.proxy!, report.config.proxies);
  if ('problem' in selected) throw new UsageError(field, selected.problem);
  const stats = report.byProxy?.[selected.url];
  if (!stats) throw new UsageError(field, `the report has no per-proxy figures for ${selected.url} (byProxy; reports written before it existed lack it)`);
  return { value: definition.read(stats) ?? null, definition, stats, proxy: selected.url };
}

/**
 * Why a latency figure of the successes cannot stand for the requests: none were made, or the
 * failed share exceeds the share above the figure. `undefined` when it can (or is no such figure).
 */
function unmeasurableReason(definition: StatsMetric, stats: Stats, threshold: Threshold): string | undefined {
  const perMilleAbove = definition.perMilleAbove;
  if (perMilleAbove === undefined) return undefined;
  const scope = threshold.proxy !== undefined ? `proxy[${threshold.proxy}]` : threshold.kind;
  const name = scope !== undefined ? `${scope}.${definition.name}` : definition.name;
  if (definition.messageFigure === true) return lostMessagesReason(name, perMilleAbove, stats);
  if (stats.requests === 0) return `${name} not measurable: no request was made`;
  // Whole numbers on both sides: exactly 1 % failed does not exceed p99's 1 %.
  if (stats.failures * 1000 <= perMilleAbove * stats.requests) return undefined;
  const failedPercent = formatNumber((stats.failures / stats.requests) * 100);
  return `${name} not measurable: ${failedPercent} % of requests failed (> ${formatNumber(perMilleAbove / 10)} %)`;
}

/**
 * The rule above for `rtt.*`, whose samples are messages: a message sent and never echoed (lost, or
 * left unanswered by a session that failed) stands for a failed request.
 */
function lostMessagesReason(name: string, perMilleAbove: number, stats: Stats): string | undefined {
  const sent = stats.messages?.sent ?? 0;
  const lost = stats.messages?.lost ?? 0;
  if (lost * 1000 <= perMilleAbove * sent) return undefined;
  const lostPercent = formatNumber((lost / sent) * 100);
  return `${name} not measurable: ${lostPercent} % of messages were lost (> ${formatNumber(perMilleAbove / 10)} %)`;
}

function holds(value: number, op: Threshold['op'], limit: number): boolean {
  switch (op) {
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
    case '>':
      return value > limit;
    case '>=':
      return value >= limit;
    case '==':
      return value === limit;
  }
}
