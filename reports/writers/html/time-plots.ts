import type { ErrorCause } from '../../../core/error-cause.js';
import type { Report, SeriesPoint, SeriesStats } from '../../schema.js';
import { TOTAL_COLOR, alignLines, paletteColor, type PlotLine, type PlotSpec, type XyPoints } from './plot-spec.js';

/**
 * Plots over time: per-second rps, latency and failures from `series`, and the SUT's RSS and CPU
 * from `sut.samples`. The x axis is seconds since the run's measured start, so a baseline's lines
 * overlay the current ones although the two runs happened at different wall-clock times.
 */

/** Colours of the p50 and p99 lines (kept apart from the kind palette's meaning). */
const P50_COLOR = '#0072b2';
const P99_COLOR = '#d55e00';

/** Unix seconds the x axis counts from: the measured start, or the first sample when that is unreadable. */
export function originSeconds(report: Report): number {
  const startedMs = Date.parse(report.startedAt);
  if (Number.isFinite(startedMs)) return Math.floor(startedMs / 1000);
  return report.series[0]?.t ?? report.sut?.samples[0]?.t ?? 0;
}

interface Sided {
  readonly line: PlotLine;
  readonly points: XyPoints;
}

function plot(id: string, title: string, yLabel: string, sided: readonly Sided[]): PlotSpec {
  return { id, title, xAxis: 'elapsed', yLabel, yLog: false, lines: sided.map((s) => s.line), data: alignLines(sided.map((s) => s.points)) };
}

function line(label: string, color: string, dashed: boolean, stepped = false): PlotLine {
  return { label, color, dashed, stepped };
}

/**
 * Points of one per-second figure; `pick` returns null for seconds where the figure means nothing,
 * kept as an explicit gap so the line is broken there rather than drawn across.
 */
function seriesPoints(report: Report, pick: (point: SeriesPoint) => number | null): XyPoints {
  const origin = originSeconds(report);
  return report.series.map((point) => [point.t - origin, pick(point)] as const);
}

/** A percentile of a second with no success is undefined, not 0: leave a gap. */
function latencyOf(stats: SeriesStats | undefined, key: 'p50' | 'p99'): number | null {
  return stats === undefined || stats.successes === 0 ? null : stats[key];
}

/** Requests per second, total and per kind; the baseline's total dashed. `null` without series. */
export function rpsPlot(report: Report, baseline?: Report): PlotSpec | null {
  if (report.series.length === 0) return null;
  const sided: Sided[] = [{ line: line(baseline ? 'total (after)' : 'total', TOTAL_COLOR, false), points: seriesPoints(report, (p) => p.totals.rps) }];
  Object.keys(report.byKind).forEach((kind, i) => {
    sided.push({ line: line(kind, paletteColor(i), false), points: seriesPoints(report, (p) => p.byKind[kind]?.rps ?? null) });
  });
  if (baseline) sided.push({ line: line('total (before)', TOTAL_COLOR, true), points: seriesPoints(baseline, (p) => p.totals.rps) });
  return plot('plot-rps', 'Requests per second', 'requests/s', sided);
}

/** Latency p50 and p99 of each second (all kinds); the baseline's dashed. `null` without series. */
export function latencyPlot(report: Report, baseline?: Report): PlotSpec | null {
  if (report.series.length === 0) return null;
  const sides = baseline ? [{ r: report, s: ' (after)', d: false }, { r: baseline, s: ' (before)', d: true }] : [{ r: report, s: '', d: false }];
  const sided: Sided[] = sides.flatMap(({ r, s, d }) => [
    { line: line(`p50${s}`, P50_COLOR, d), points: seriesPoints(r, (p) => latencyOf(p.totals, 'p50')) },
    { line: line(`p99${s}`, P99_COLOR, d), points: seriesPoints(r, (p) => latencyOf(p.totals, 'p99')) },
  ]);
  return plot('plot-latency', 'Latency per second (p50, p99)', 'latency (ms)', sided);
}

/** Failures per second by cause; the baseline's total failures dashed. `null` when nothing failed. */
export function errorsPlot(report: Report, baseline?: Report): PlotSpec | null {
  const causes = [...new Set(report.series.flatMap((p) => Object.keys(p.totals.errors) as ErrorCause[]))];
  const baselineFailed = baseline?.series.some((p) => p.totals.failures > 0) ?? false;
  if (causes.length === 0 && !baselineFailed) return null;
  const sided: Sided[] = causes.map((cause, i) => ({
    line: line(cause, paletteColor(i), false, true),
    points: seriesPoints(report, (p) => p.totals.errors[cause] ?? 0),
  }));
  if (baseline && baselineFailed) {
    sided.push({ line: line('all causes (before)', TOTAL_COLOR, true, true), points: seriesPoints(baseline, (p) => p.totals.failures) });
  }
  return plot('plot-errors', 'Failures per second by cause', 'failures/s', sided);
}

/** SUT sample points of one figure, x in seconds since the measured start (negative in warm-up). */
function sutPoints(report: Report, pick: (s: { rssMiB: number; cpuPercent: number }) => number): XyPoints {
  const origin = originSeconds(report);
  return (report.sut?.samples ?? []).map((s) => [Math.round((s.t - origin) * 1000) / 1000, pick(s)] as const);
}

/** SUT RSS (MiB) and CPU (% of one core) over time; `[]` when the report has no SUT samples. */
export function sutPlots(report: Report, baseline?: Report): PlotSpec[] {
  if (report.sut === null || report.sut.samples.length === 0) return [];
  const withBaseline = baseline?.sut != null && baseline.sut.samples.length > 0 ? baseline : undefined;
  const sides = withBaseline ? [{ r: report, s: ' (after)', d: false }, { r: withBaseline, s: ' (before)', d: true }] : [{ r: report, s: '', d: false }];
  return [
    plot('plot-sut-rss', 'SUT memory (RSS of the process tree)', 'RSS (MiB)',
      sides.map(({ r, s, d }) => ({ line: line(`RSS${s}`, P50_COLOR, d), points: sutPoints(r, (x) => x.rssMiB) }))),
    plot('plot-sut-cpu', 'SUT CPU (process tree)', 'CPU (% of one core)',
      sides.map(({ r, s, d }) => ({ line: line(`CPU${s}`, P99_COLOR, d), points: sutPoints(r, (x) => x.cpuPercent) }))),
  ];
}
