import { UsageError } from '../../core/errors.js';
import type { Report, ThresholdResult } from '../schema.js';
import { metricDefinition } from './metrics.js';
import type { Threshold } from './parse-threshold.js';

/**
 * Evaluates absolute thresholds against a report (k6's CI gate without a baseline). Each result
 * carries the measured value in the metric's report unit, so a failure can be printed with numbers.
 *
 * @throws UsageError when a threshold cannot be evaluated on this report (a request kind it does not
 *   have, a SUT metric when no SUT was measured): an unevaluable gate must not pass silently
 */
export function evaluateThresholds(report: Report, thresholds: readonly Threshold[]): ThresholdResult[] {
  return thresholds.map((threshold) => {
    const value = measuredValue(report, threshold);
    return {
      expression: threshold.expression,
      metric: threshold.metric,
      ...(threshold.kind !== undefined ? { kind: threshold.kind } : {}),
      op: threshold.op,
      limit: threshold.limit,
      value,
      passed: holds(value, threshold.op, threshold.limit),
    };
  });
}

function measuredValue(report: Report, threshold: Threshold): number {
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
    return value;
  }
  if (threshold.kind === undefined) return definition.read(report.totals);
  const stats = report.byKind[threshold.kind];
  if (!stats) {
    const kinds = Object.keys(report.byKind).join(', ') || 'none';
    throw new UsageError(field, `the report has no request kind '${threshold.kind}' (kinds: ${kinds})`);
  }
  return definition.read(stats);
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
