import { ReportError, UsageError } from '../../core/errors.js';
import { formatNumber, formatQuantity } from '../metric-units.js';
import type { Report, Stats } from '../schema.js';
import { messageFiguresOf } from '../message-figures.js';
import { causesSeen, comparedErrorRate, COMPARED_MESSAGE_METRICS, COMPARED_STATS_METRICS, COMPARED_SUT_METRICS, type ComparedMetric } from './compared-metrics.js';
import { scopeSeries, testSignificance, type ScopeData, type Significance } from './significance.js';
import { ToleranceTable, type Tolerance } from './tolerances.js';

/** The default tolerances (defined and documented in tolerances.ts), beside the function they serve. */
export { DEFAULT_TOLERANCES } from './tolerances.js';

/** Options of {@link compareReports}. */
export interface CompareOptions {
  /** Tolerance overrides, e.g. `p99:+5%`, `get-1k.successRate:-0.5pt`, `rps:-5%` (see DEFAULT_TOLERANCES). */
  readonly tolerances?: readonly string[];
  /** Compare reports of different scenarios or schema major versions anyway. */
  readonly force?: boolean;
  /** Significance level of the statistical tests (default 0.05). */
  readonly alpha?: number;
}

/** Verdict of one metric. */
export type Verdict = 'regression' | 'improvement' | 'no change';

/** One metric of one scope, before and after. */
export interface MetricComparison {
  /** `total`, a request kind, or one proxy of a pool as `proxy[<its URL>]`. */
  readonly scope: string;
  readonly metric: string;
  /** Baseline value in the metric's report unit (ms, 0..1, req/s, MiB…). */
  readonly before: number;
  readonly after: number;
  /** after − before, in the metric's report unit. */
  readonly change: number;
  /** The change as the tolerance measures it: `+12.5%`, `-0.8pt`, `+2.1 ms`. */
  readonly changeText: string;
  /** The tolerance applied, e.g. `+10%`. */
  readonly tolerance: string;
  /** Whether the change is statistically significant; null when judged by tolerance alone. */
  readonly significant: boolean | null;
  /** Two-sided p-value of the test; null when no test ran. */
  readonly pValue: number | null;
  readonly verdict: Verdict;
  /** Why a test did not run (too few samples, no distribution), in plain words. */
  readonly note?: string;
}

/** Which report a side of the comparison is. */
export interface ReportIdentity {
  readonly scenario: string;
  readonly startedAt: string;
  /** proxybench version that wrote the report. */
  readonly version: string;
}

/** The result of comparing a current report with a baseline. */
export interface Comparison {
  readonly baseline: ReportIdentity;
  readonly current: ReportIdentity;
  readonly metrics: readonly MetricComparison[];
  readonly regressions: number;
  readonly improvements: number;
  /** Significance level used. */
  readonly alpha: number;
  /** Things the reader must know (kinds in one report only, partial runs, saturated harness). */
  readonly notes: readonly string[];
}

const DEFAULT_ALPHA = 0.05;

/** What every metric's comparison needs besides its data. */
interface Context {
  readonly tolerances: ToleranceTable;
  readonly alpha: number;
  readonly cache: Map<string, Significance>;
}

/**
 * Compares `current` with `baseline`, per request kind and in total. A metric is a regression when
 * it moved the bad way beyond its tolerance *and* the move is statistically significant at `alpha`
 * (latency p50: Mann–Whitney U on the histograms; p95/p99: a bootstrap of that quantile's difference;
 * max: an exceedance test — see tail-tests.ts; rates: Welch's t over the per-second series); an
 * improvement is the mirror image. Metrics without a distribution (SUT RSS peak) use the tolerance alone.
 *
 * @throws ReportError for reports of different schema major versions or scenarios (unless `force`)
 * @throws UsageError for a bad tolerance, alpha, or a tolerance naming a kind neither report has
 */
export function compareReports(baseline: Report, current: Report, options: CompareOptions = {}): Comparison {
  if (!options.force) assertComparable(baseline, current);
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  if (!(alpha > 0 && alpha < 1)) throw new UsageError('--alpha', `expects a significance level between 0 and 1, e.g. 0.05 (got ${alpha})`);
  const tolerances = new ToleranceTable(options.tolerances ?? []);
  const kinds = Object.keys(baseline.byKind).filter((kind) => current.byKind[kind] !== undefined);
  const proxies = comparedProxies(baseline, current).filter((url) => current.byProxy![url] !== undefined).map(proxyScope);
  for (const scope of tolerances.scopes()) {
    if (scope !== 'total' && !kinds.includes(scope) && !proxies.includes(scope)) {
      throw new UsageError('--threshold', `a tolerance names request kind '${scope}', which is not in both reports (kinds: ${kinds.join(', ') || 'none'})`);
    }
  }
  const context: Context = { tolerances, alpha, cache: new Map() };
  const metrics: MetricComparison[] = [];
  for (const scope of ['total', ...kinds, ...proxies]) metrics.push(...compareScope(baseline, current, scope, context));
  if (baseline.sut && current.sut) {
    const before = scopeData(baseline, 'total');
    const after = scopeData(current, 'total');
    const loadChanged = throughputMoved(metrics, context);
    for (const metric of COMPARED_SUT_METRICS) {
      const compared = compareMetric(metric, before, after, context);
      // CPU % follows the load: a proxy serving 4× the requests uses more CPU and that is no
      // regression. When throughput moved beyond its tolerance only CPU per 1k requests is judged.
      metrics.push(metric.name === 'sut.cpuPercentMean' && loadChanged
        ? { ...compared, verdict: 'no change', note: 'not judged: throughput changed, so CPU % is not comparable (see SUT CPU per 1k req)' }
        : compared);
    }
  }
  return {
    baseline: identity(baseline),
    current: identity(current),
    metrics,
    regressions: metrics.filter((m) => m.verdict === 'regression').length,
    improvements: metrics.filter((m) => m.verdict === 'improvement').length,
    alpha,
    notes: notesOn(baseline, current),
  };
}

/** True when the total req/s moved beyond its tolerance, either way. */
function throughputMoved(metrics: readonly MetricComparison[], context: Context): boolean {
  const rps = metrics.find((m) => m.scope === 'total' && m.metric === 'rps');
  if (!rps || rps.before === 0) return rps !== undefined && rps.after !== 0;
  const tolerance = context.tolerances.toleranceFor('total', 'rps');
  const relative = Math.abs(rps.after - rps.before) / rps.before;
  return tolerance.mode === 'relative' ? relative > tolerance.amount : relative > 0.05;
}

function assertComparable(baseline: Report, current: Report): void {
  const majorBefore = Math.floor(baseline.schemaVersion);
  const majorAfter = Math.floor(current.schemaVersion);
  if (majorBefore !== majorAfter) {
    throw new ReportError(`cannot compare reports of schema versions ${majorBefore} and ${majorAfter} (different major versions); pass --force to compare anyway`);
  }
  if (baseline.scenario !== current.scenario) {
    throw new ReportError(`cannot compare different scenarios: baseline '${baseline.scenario}', current '${current.scenario}'; pass --force to compare anyway`);
  }
}

function identity(report: Report): ReportIdentity {
  return { scenario: report.scenario, startedAt: report.startedAt, version: report.tool.version };
}

/** The compare scope of one proxy's figures: `proxy[<its URL>]` (no request kind starts with `proxy[`). */
function proxyScope(url: string): string {
  return `proxy[${url}]`;
}

/**
 * The baseline's proxies whose figures are compared: those of a pool (a report with more than one
 * proxy; with one, its figures are the total's again), of proxies given by URL (the embedded
 * proxies' ports change from run to run, so their URLs match nothing).
 */
function comparedProxies(baseline: Report, current: Report): string[] {
  const pooled = (r: Report): boolean => !r.config.embeddedProxies && Object.keys(r.byProxy ?? {}).length > 1;
  return pooled(baseline) && pooled(current) ? Object.keys(baseline.byProxy!) : [];
}

function scopeData(report: Report, scope: string): ScopeData {
  const stats = scope === 'total'
    ? report.totals
    : scope.startsWith('proxy[') ? report.byProxy?.[scope.slice('proxy['.length, -1)] : report.byKind[scope];
  if (!stats) throw new Error(`scope ${scope} missing`);
  return { report, scope, stats, series: scopeSeries(report, scope) };
}

function compareScope(baseline: Report, current: Report, scope: string, context: Context): MetricComparison[] {
  const before = scopeData(baseline, scope);
  const after = scopeData(current, scope);
  // Message figures only where both sides have them: a side without is no 0 to compare with.
  const messages = hasMessages(before.stats) && hasMessages(after.stats) ? COMPARED_MESSAGE_METRICS : [];
  const metrics = [...COMPARED_STATS_METRICS, ...messages, ...causesSeen(before.stats, after.stats).map(comparedErrorRate)];
  return metrics.map((metric) => compareMetric(metric, before, after, context));
}

function hasMessages(stats: Stats): boolean {
  return messageFiguresOf(stats) !== undefined;
}

/** Scopes (total and the kinds in both reports) whose message figures only one report has: not compared. */
function messageNotes(baseline: Report, current: Report): string[] {
  const scopes: [string, Stats, Stats][] = [['total', baseline.totals, current.totals]];
  for (const [kind, before] of Object.entries(baseline.byKind)) {
    const after = current.byKind[kind];
    if (after) scopes.push([kind, before, after]);
  }
  return scopes.flatMap(([scope, before, after]) => {
    if (hasMessages(before) === hasMessages(after)) return [];
    const side = hasMessages(before) ? 'baseline' : 'current report';
    return [`message figures of ${scope} only in the ${side}, not compared`];
  });
}

function read(metric: ComparedMetric, data: ScopeData): number {
  return (metric.scope === 'stats' ? metric.read(data.stats) : metric.read(data.report)) ?? 0;
}

function compareMetric(metric: ComparedMetric, before: ScopeData, after: ScopeData, context: Context): MetricComparison {
  const scope = before.scope;
  const tolerance = context.tolerances.toleranceFor(scope, metric.name);
  const valueBefore = read(metric, before);
  const valueAfter = read(metric, after);
  const measured = measure(tolerance, valueBefore, valueAfter);
  // Positive when the metric moved its bad way; compared with the tolerance in its own unit.
  const worsening = metric.better === 'lower' ? measured : -measured;
  const { significant, pValue, note } = testSignificance(metric.test, before, after, context.alpha, context.cache);
  const trusted = significant !== false;
  const verdict: Verdict =
    trusted && worsening > tolerance.amount ? 'regression' : trusted && -worsening > tolerance.amount ? 'improvement' : 'no change';
  return {
    scope,
    metric: metric.name,
    before: valueBefore,
    after: valueAfter,
    change: valueAfter - valueBefore,
    changeText: changeText(tolerance, measured, metric.unit),
    tolerance: tolerance.text,
    significant,
    pValue,
    verdict,
    ...(note !== undefined ? { note } : {}),
  };
}

/** The change in the tolerance's own terms: a fraction, percentage points, or the metric's unit. */
function measure(tolerance: Tolerance, before: number, after: number): number {
  const delta = after - before;
  switch (tolerance.mode) {
    case 'relative':
      // From zero any growth is unbounded in relative terms; no growth is no change.
      return before === 0 ? (delta === 0 ? 0 : Math.sign(delta) * Infinity) : delta / Math.abs(before);
    case 'points':
      return delta * 100;
    case 'absolute':
      return delta;
  }
}

function changeText(tolerance: Tolerance, measured: number, unit: ComparedMetric['unit']): string {
  const sign = measured < 0 ? '-' : '+';
  const size = Math.abs(measured);
  switch (tolerance.mode) {
    case 'relative':
      return `${sign}${formatNumber(size * 100)}%`;
    case 'points':
      return `${sign}${formatNumber(size)}pt`;
    case 'absolute':
      return `${sign}${formatQuantity(unit, size)}`;
  }
}

function notesOn(baseline: Report, current: Report): string[] {
  const notes: string[] = [];
  const kindsOnly = (a: Report, b: Report): string[] => Object.keys(a.byKind).filter((kind) => b.byKind[kind] === undefined);
  const onlyBefore = kindsOnly(baseline, current);
  const onlyAfter = kindsOnly(current, baseline);
  if (onlyBefore.length > 0) notes.push(`request kinds only in the baseline, not compared: ${onlyBefore.join(', ')}`);
  if (onlyAfter.length > 0) notes.push(`request kinds only in the current report, not compared: ${onlyAfter.join(', ')}`);
  const proxiesOnly = (a: Report, b: Report): string[] => comparedProxies(a, b).filter((url) => b.byProxy![url] === undefined);
  const proxiesBefore = proxiesOnly(baseline, current);
  const proxiesAfter = proxiesOnly(current, baseline);
  if (proxiesBefore.length > 0) notes.push(`proxies only in the baseline, not compared: ${proxiesBefore.join(', ')}`);
  if (proxiesAfter.length > 0) notes.push(`proxies only in the current report, not compared: ${proxiesAfter.join(', ')}`);
  if (baseline.scenario !== current.scenario) notes.push(`different scenarios compared (--force): '${baseline.scenario}' and '${current.scenario}'`);
  if (baseline.tool.version !== current.tool.version) notes.push(`made by different proxybench versions: ${baseline.tool.version} and ${current.tool.version}`);
  if (!baseline.sut || !current.sut) notes.push('SUT resources not compared: a report has no SUT samples');
  notes.push(...messageNotes(baseline, current));
  for (const [side, report] of [['baseline', baseline], ['current', current]] as const) {
    if (report.partial) notes.push(`the ${side} run was interrupted (partial report)`);
    if (report.harness.saturated) notes.push(`the harness was saturated in the ${side} run: its figures may measure the harness, not the proxy`);
  }
  return notes;
}
