import { metricValueText } from '../compare/metric-label.js';
import type { ThresholdResult } from '../schema.js';
import { painter } from './ansi.js';

/**
 * Console lines for evaluated thresholds, one each: `threshold ✗ FAIL  p95<100ms  (p95 = 123 ms)`;
 * a threshold failed for a reason other than its value says why after the value
 * (`(p99 = 40 ms; p99 not measurable: 33.3 % of requests failed (> 1 %))`).
 * `color` adds ANSI colours (only when asked).
 */
export function formatThresholdLines(results: readonly ThresholdResult[], options: { color?: boolean } = {}): string[] {
  const paint = painter(options.color ?? false);
  return results.map((result) => {
    const mark = result.passed ? paint('green', '✓ pass') : paint('red', '✗ FAIL');
    const name = result.kind !== undefined ? `${result.kind}.${result.metric}` : result.metric;
    const reason = result.reason !== undefined ? `; ${result.reason}` : '';
    // A figure not measured has no value to show: its reason says so (`echo.lossRate not measured: …`).
    if (result.value === null) return `threshold ${mark}  ${result.expression}  (${result.reason ?? `${name} not measured`})`;
    return `threshold ${mark}  ${result.expression}  (${name} = ${metricValueText(result.metric, result.value)}${reason})`;
  });
}
