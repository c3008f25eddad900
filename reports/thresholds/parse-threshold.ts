import { UsageError } from '../../core/errors.js';
import { describeQuantity, parseQuantity } from '../metric-units.js';
import { metricDefinition, splitMetricName, type MetricDefinition } from './metrics.js';
import { splitProxyPrefix } from './proxy-selector.js';

/** An absolute threshold as parsed, e.g. `p95<100ms` → `{ metric: 'p95', op: '<', limit: 100 }`. */
export interface Threshold {
  /** As written by the user. */
  readonly expression: string;
  /** Request kind (`byKind` key) the metric is read from; absent for the total or a report metric. */
  readonly kind?: string;
  /**
   * The proxy (`byProxy` entry) the metric is read from, as the `proxy[…]` prefix selects it: a
   * position in `config.proxies` (`1`), a host and port (`10.0.0.5:3128`), a host, or a URL.
   */
  readonly proxy?: string;
  /** Metric name from {@link THRESHOLD_METRICS}, without the kind prefix. */
  readonly metric: string;
  readonly op: '<' | '<=' | '>' | '>=' | '==';
  /** The limit in the metric's report unit (ms for latencies, 0..1 for successRate). */
  readonly limit: number;
}

// Two-character operators first so `<=` is not read as `<` followed by `=100`.
const EXPRESSION = /^\s*([^\s<>=!]+)\s*(<=|>=|==|<|>)\s*(\S.*?)\s*$/;

const KNOWN_METRICS_HINT =
  'successRate, rps, throughputMbps, requests, failures, p50, p90, p95, p99, p999, max, mean, ' +
  'ttfb.p99 (also connect., proxyHandshake., tls., serviceTime.), errors.<cause>, errorRate, errorRate.<cause>, ' +
  'connections.reuseRatio, connections.perSecond, rtt.p99 (also rtt.p50…rtt.mean), messagesPerSecond, lossRate, ' +
  'messages.sent (also .received, .lost, .reordered, .duplicates), held.established, held.failed, held.sutRssPerThousandMiB, held.connect.p99, sut.rssPeakMiB, sut.cpuPercentMean, sut.cpuMsPer1kRequests, harness.rssPeakMiB, ' +
  'harness.eventLoopDelayP99Ms; prefix a request kind for one kind (get-1k.p99), or proxy[i] / proxy[host:port] for one proxy (proxy[1].p99)';

/**
 * Parses an absolute threshold such as `p95<100ms`, `successRate>=99%`, `sut.rssPeakMiB<64` or
 * `get-1k.errors.timeout==0`. Limits are converted to the metric's report unit (latencies in ms, a
 * bare number being ms; `99%` is 0.99 for successRate, and a ratio limit above 1 is refused).
 *
 * @param field names the flag or scenario field in the error (default `--threshold`)
 * @throws UsageError for a malformed expression, an unknown metric or a limit in the wrong unit
 */
export function parseThreshold(expression: string, field = '--threshold'): Threshold {
  const match = EXPRESSION.exec(expression);
  if (!match) {
    throw new UsageError(
      field,
      `'${expression}' is not a threshold; write <metric><op><limit> with op one of <, <=, >, >=, == (e.g. p95<100ms, successRate>=0.99)`,
    );
  }
  const [, name = '', op = '<', limitText = ''] = match;
  const { definition, kind, proxy } = resolveName(expression, name, field);
  const limit = parseQuantity(definition.unit, limitText);
  if (limit === undefined) {
    throw new UsageError(field, `'${expression}': ${definition.name} expects ${describeQuantity(definition.unit)} (got '${limitText}')`);
  }
  // A ratio is 0..1: `errorRate<5` would pass with half the requests failing and `successRate>=99`
  // could never pass, so a limit outside 0..1 is a usage error, never a gate.
  if (definition.unit === 'ratio' && limit > 1) {
    throw new UsageError(field, `'${expression}': ${definition.name} is a ratio from 0 to 1; ${ratioHint(limitText)}`);
  }
  return {
    expression: expression.trim(),
    ...(kind !== undefined ? { kind } : {}),
    ...(proxy !== undefined ? { proxy } : {}),
    metric: definition.name,
    op: op as Threshold['op'],
    limit,
  };
}

/** The metric a threshold's name reads, and the kind or proxy it is read from. */
function resolveName(expression: string, name: string, field: string): { definition: MetricDefinition; kind?: string; proxy?: string } {
  const proxied = splitProxyPrefix(name);
  if (proxied) {
    const definition = metricDefinition(proxied.metric);
    if (definition?.scope === 'stats') return { definition, proxy: proxied.selector };
    const why = definition ? `${definition.name} belongs to the whole run, not to one proxy` : `'${proxied.metric}' is not a metric of a proxy's figures`;
    throw new UsageError(field, `'${expression}': ${why}; a proxy takes the metrics of a request kind, e.g. proxy[${proxied.selector}].p99`);
  }
  const resolved = splitMetricName(name);
  if (!resolved) {
    throw new UsageError(field, `'${expression}' names an unknown metric '${name}'; known: ${KNOWN_METRICS_HINT}`);
  }
  return resolved;
}

/** What to write instead of a ratio limit above 1: `99` was meant as `0.99` or `99%`. */
function ratioHint(limitText: string): string {
  const bare = Number(limitText.trim());
  if (Number.isFinite(bare) && bare > 1 && bare <= 100) return `write ${Number((bare / 100).toPrecision(12))} or ${bare}%`;
  return 'write 0.99 or 99%';
}
