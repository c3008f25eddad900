import { formatQuantity } from '../metric-units.js';
import { metricDefinition } from '../thresholds/metrics.js';

/** Words for compared metrics in tables (`p99` → `latency p99`); other names are shown as they are. */
const LABELS: Readonly<Record<string, string>> = {
  successRate: 'success rate',
  rps: 'req/s',
  throughputMbps: 'throughput',
  p50: 'latency p50',
  p95: 'latency p95',
  p99: 'latency p99',
  max: 'latency max',
  'rtt.p50': 'message RTT p50',
  'rtt.p99': 'message RTT p99',
  messagesPerSecond: 'msg/s',
  lossRate: 'message loss',
  'sut.rssPeakMiB': 'SUT RSS peak',
  'sut.cpuPercentMean': 'SUT CPU mean',
  'sut.cpuMsPer1kRequests': 'SUT CPU per 1k req',
};

/** A metric name as a reader of a table wants it: `latency p99`, `errors: timeout`. */
export function metricLabel(metric: string): string {
  if (metric.startsWith('errorRate.')) return `errors: ${metric.slice('errorRate.'.length)}`;
  return LABELS[metric] ?? metric;
}

/**
 * A metric's value with its unit (`12.5 ms`, `99.2%`); a bare number for an unknown metric;
 * `not measured` for a threshold's `null` value (a message figure of a kind that sent none).
 */
export function metricValueText(metric: string, value: number | null): string {
  if (value === null) return 'not measured';
  const definition = metricDefinition(metric);
  return definition ? formatQuantity(definition.unit, value) : String(value);
}

/** A p-value for a table: `0.003`, `<0.001`, or why there is none. */
export function pValueText(pValue: number | null, significant: boolean | null): string {
  if (pValue !== null) return pValue < 0.001 ? '<0.001' : pValue.toFixed(3);
  return significant === null ? 'tolerance only' : 'too few samples';
}
