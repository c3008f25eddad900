import { UsageError } from '../../core/errors.js';
import { describeQuantity, parseQuantity, type MetricUnit } from '../metric-units.js';
import { metricDefinition, type Better } from '../thresholds/metrics.js';
import { TOLERANCE_METRICS } from './compared-metrics.js';

/**
 * How far a metric may move the wrong way before `compare` calls it a regression (and, mirrored, the
 * right way before it calls it an improvement). Keys are metric names; `errorRate` covers every
 * cause's share of requests. Override with `--threshold 'p99:+5%'`, or for one request kind with
 * `--threshold 'get-1k.successRate:-0.5pt'` (`total.` names the total only).
 *
 * - `%` is relative to the baseline, `pt` is percentage points of a 0..1 metric (success rate,
 *   error shares), anything else is absolute in the metric's unit (`p99:+2ms`).
 * - A regression must also be statistically significant (see compare-reports.ts).
 */
export const DEFAULT_TOLERANCES: Readonly<Record<string, string>> = {
  successRate: '-1pt',
  rps: '-5%',
  throughputMbps: '-5%',
  p50: '+10%',
  p95: '+10%',
  p99: '+10%',
  // One sample decides the max, so it moves more from run to run than any percentile.
  max: '+25%',
  errorRate: '+0.5pt',
  'rtt.p50': '+10%',
  'rtt.p99': '+10%',
  // Judged by tolerance alone (no per-second series of messages), so wider than rps's 5 %.
  messagesPerSecond: '-10%',
  // Loss gates are written in tenths of a percent (`lossRate<0.001`); 0.5pt would hide a 5× jump.
  lossRate: '+0.1pt',
  'sut.rssPeakMiB': '+10%',
  'sut.cpuPercentMean': '+10%',
  'sut.cpuMsPer1kRequests': '+10%',
};

/** A parsed tolerance: the allowed move in the metric's bad direction (and good, for improvements). */
export interface Tolerance {
  /** As written, e.g. `+10%`. */
  readonly text: string;
  /** `relative`: fraction of the baseline; `points`: percentage points; `absolute`: the metric's unit. */
  readonly mode: 'relative' | 'points' | 'absolute';
  /** Size of the allowed move, ≥ 0, in the mode's unit (0.1 for `+10%`). */
  readonly amount: number;
}

const FIELD = '--threshold';

/**
 * Whether a `--threshold` value is a tolerance against a baseline (`p99:+5%`, `p99:5%`,
 * `get-1k.successRate:-0.5pt`) rather than an absolute gate (`p99<50ms`): it has a colon and no
 * comparison operator. `run --baseline` and `compare` both split their `--threshold` values with
 * this one rule, so an expression means the same thing to both commands.
 */
export function isTolerance(expression: string): boolean {
  return expression.includes(':') && !/[<>=]/.test(expression);
}

const TOLERANCE = /^([+-]?)\s*(.+?)\s*$/;

/**
 * Parses a tolerance for a metric. The sign, when given, must point the metric's bad way (`+` for
 * latencies and error shares, `-` for rates and success rate), so a mistyped sign is an error rather
 * than a gate that never trips.
 */
export function parseTolerance(metric: string, unit: MetricUnit, better: Better, text: string): Tolerance {
  const [, sign = '', magnitude = ''] = TOLERANCE.exec(text) ?? [];
  const badSign = better === 'lower' ? '+' : '-';
  if (sign !== '' && sign !== badSign) {
    throw new UsageError(FIELD, `${metric}:${text} — ${metric} gets worse ${better === 'lower' ? 'upwards' : 'downwards'}, so write ${badSign}${magnitude}`);
  }
  const percent = /^(\d+(?:\.\d+)?|\.\d+)\s*%$/.exec(magnitude);
  if (percent) return { text: `${badSign}${magnitude}`, mode: 'relative', amount: Number(percent[1]) / 100 };
  const points = /^(\d+(?:\.\d+)?|\.\d+)\s*pt$/i.exec(magnitude);
  if (points && unit === 'ratio') return { text: `${badSign}${magnitude}`, mode: 'points', amount: Number(points[1]) };
  const absolute = parseQuantity(unit, magnitude);
  // A share moves by at most 1 (0 → 100 %): `errorRate:+5` would be a tolerance that never trips.
  if (absolute !== undefined && unit === 'ratio' && absolute > 1) {
    throw new UsageError(FIELD, `${metric}:${text} — ${metric} is a ratio from 0 to 1, so it cannot move by ${magnitude}; write ${magnitude}pt (percentage points) or ${Number((absolute / 100).toPrecision(12))}`);
  }
  if (absolute !== undefined && !points) return { text: `${badSign}${magnitude}`, mode: 'absolute', amount: absolute };
  const accepts = unit === 'ratio' ? 'a change such as 5%, 0.5pt (percentage points) or 0.005' : `a change such as 10% or ${describeQuantity(unit)}`;
  throw new UsageError(FIELD, `${metric}:${text} — ${metric} accepts ${accepts}`);
}

/** The tolerance of every compared metric in every scope: user overrides over the defaults. */
export class ToleranceTable {
  private readonly overrides = new Map<string, Tolerance>();

  /**
   * @param specs `metric:change` or `scope.metric:change`, e.g. `p99:+5%`, `get-1k.rps:-10%`
   * @throws UsageError for an unknown metric or a change it cannot take, before anything is compared
   */
  constructor(specs: readonly string[]) {
    for (const spec of specs) {
      const colon = spec.lastIndexOf(':');
      const key = spec.slice(0, colon).trim();
      const metric = metricOfKey(key);
      if (colon <= 0 || metric === undefined) {
        const known = TOLERANCE_METRICS.filter((m) => !m.startsWith('errorRate.')).join(', ');
        throw new UsageError(FIELD, `'${spec}' is not a tolerance; write <metric>:<change> such as p99:+5% or get-1k.successRate:-0.5pt, with metric one of ${known}, errorRate.<cause>`);
      }
      this.overrides.set(key, parseFor(metric, spec.slice(colon + 1).trim()));
    }
  }

  /**
   * The tolerance of `metric` in `scope` (`total` or a kind): `scope.metric`, then `metric`, then
   * (for `errorRate.<cause>`) `scope.errorRate` and `errorRate`, then the default.
   */
  toleranceFor(scope: string, metric: string): Tolerance {
    const names = metric.startsWith('errorRate.') ? [metric, 'errorRate'] : [metric];
    for (const name of names) {
      const override = this.overrides.get(`${scope}.${name}`) ?? this.overrides.get(name);
      if (override !== undefined) return override;
    }
    for (const name of names) {
      const fallback = DEFAULT_TOLERANCES[name];
      if (fallback !== undefined) return parseFor(name, fallback);
    }
    throw new Error(`no default tolerance for ${metric}`);
  }

  /** The scopes overrides name (`get-1k` of `get-1k.p99`), to check them against the reports. */
  scopes(): string[] {
    return [...this.overrides.keys()].flatMap((key) => {
      const metric = metricOfKey(key);
      return metric !== undefined && key !== metric ? [key.slice(0, key.length - metric.length - 1)] : [];
    });
  }
}

function parseFor(metric: string, text: string): Tolerance {
  const definition = metricDefinition(metric);
  if (!definition) throw new Error(`tolerance metric ${metric} has no definition`);
  return parseTolerance(metric, definition.unit, definition.better, text);
}

/** The compared metric a key names (`p99`, `get-1k.p99`, `total.errorRate`), or undefined. */
export function metricOfKey(key: string): string | undefined {
  if (TOLERANCE_METRICS.includes(key)) return key;
  for (let dot = key.indexOf('.'); dot > 0; dot = key.indexOf('.', dot + 1)) {
    const metric = key.slice(dot + 1);
    // SUT metrics belong to the whole run; `get-1k.sut.rssPeakMiB` names nothing.
    if (TOLERANCE_METRICS.includes(metric) && !metric.startsWith('sut.')) return metric;
  }
  return undefined;
}
