import { UsageError } from '../../core/errors.js';
import { formatNumber } from '../metric-units.js';
import type { Report, Stats, ThresholdResult } from '../schema.js';
import { metricDefinition, type MetricDefinition, type StatsMetric } from './metrics.js';
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
 * @throws UsageError when a threshold cannot be evaluated on this report (a request kind it does not
 *   have, a SUT metric when no SUT was measured): an unevaluable gate must not pass silently
 */
export function evaluateThresholds(report: Report, thresholds: readonly Threshold[]): ThresholdResult[] {
  return thresholds.map((threshold) => {
    const { value, definition, stats, proxy } = measure(report, threshold);
    const reason = definition.scope === 'stats' && stats ? unmeasurableReason(definition, stats, threshold) : undefined;
    return {
      expression: threshold.expression,
      metric: threshold.metric,
      ...(threshold.kind !== undefined ? { kind: threshold.kind } : {}),
      ...(proxy !== undefined ? { proxy } : {}),
      op: threshold.op,
      limit: threshold.limit,
      value,
      passed: reason === undefined && holds(value, threshold.op, threshold.limit),
      ...(reason !== undefined ? { reason } : {}),
    };
  });
}

/** The measured value, with the definition and (for a stats metric) the block it was read from. */
interface Measured {
  readonly value: number;
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
  return { value: definition.read(stats), definition, stats };
}

/** A stats metric of the `byProxy` entry the threshold's `proxy[…]` prefix selects. */
function measureProxy(report: Report, threshold: Threshold, definition: StatsMetric, field: string): Measured {
  const selected = selectProxy(threshold.proxy!, report.config.proxies);
  if ('problem' in selected) throw new UsageError(field, selected.problem);
  const stats = report.byProxy?.[selected.url];
  if (!stats) throw new UsageError(field, `the report has no per-proxy figures for ${selected.url} (byProxy; reports written before it existed lack it)`);
  return { value: definition.read(stats), definition, stats, proxy: selected.url };
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
  if (stats.requests === 0) return `${name} not measurable: no request was made`;
  // Whole numbers on both sides: exactly 1 % failed does not exceed p99's 1 %.
  if (stats.failures * 1000 <= perMilleAbove * stats.requests) return undefined;
  const failedPercent = formatNumber((stats.failures / stats.requests) * 100);
  return `${name} not measurable: ${failedPercent} % of requests failed (> ${formatNumber(perMilleAbove / 10)} %)`;
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
