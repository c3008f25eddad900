import { decodeHistogram } from '../../histogram-codec.js';
import type { Report, Stats } from '../../schema.js';
import { TOTAL_COLOR, paletteColor, type PlotLine, type PlotSpec } from './plot-spec.js';

/**
 * The HDR-style latency percentile plot (as HdrHistogram's plotter draws it): x is 1/(1−p) on a log
 * scale, so 50 %, 90 %, 99 %, 99.9 % … sit one decade apart and the tail gets as much room as the
 * median. Turning an encoded histogram into its percentile distribution is presentation; the
 * histogram itself is the report's.
 */

/** Grid density of the x axis: points per decade of 1/(1−p). */
const POINTS_PER_DECADE = 24;
/** The x axis ends at 99.9999 % at most; past that no run has the samples to say anything. */
const MAX_DECADES = 6;

interface Curve {
  readonly line: PlotLine;
  readonly histogram: string;
}

/**
 * The percentile plot of `report` (one line per kind and the total, in ms), with the baseline's
 * lines dashed beside them when given; `null` when no request succeeded in either report.
 */
export function percentilePlot(report: Report, baseline?: Report): PlotSpec | null {
  const curves = curvesOf(report, baseline);
  const decoded = curves.map((curve) => decodeHistogram(curve.histogram));
  const drawn = curves.filter((_, i) => (decoded[i]?.totalCount ?? 0) > 0);
  const histograms = decoded.filter((h) => h.totalCount > 0);
  if (histograms.length === 0) return null;
  const maxCount = Math.max(...histograms.map((h) => h.totalCount));
  const decades = Math.min(MAX_DECADES, Math.max(1, Math.ceil(Math.log10(maxCount))));
  const xs = Array.from({ length: decades * POINTS_PER_DECADE + 1 }, (_, i) => 10 ** (i / POINTS_PER_DECADE));
  const ys = histograms.map((h) =>
    xs.map((x, i) => {
      // A line ends one grid step past its sample count: beyond 1/(1−p) = count the histogram only
      // repeats its maximum, which would draw a flat tail the data does not support.
      const previousX = xs[i - 1];
      if (previousX !== undefined && previousX >= h.totalCount) return null;
      return Math.round(h.getValueAtPercentile(100 * (1 - 1 / x))) / 1000;
    }),
  );
  for (const h of decoded) h.destroy();
  return {
    id: 'plot-percentiles',
    title: 'Latency by percentile (successful requests)',
    xAxis: 'percentile',
    yLabel: 'latency (ms, log scale)',
    yLog: true,
    lines: drawn.map((curve) => curve.line),
    data: [xs.map((x) => Math.round(x * 1e6) / 1e6), ...ys],
  };
}

/** Total first, then each kind in report order (kinds only in the baseline after them). */
function curvesOf(report: Report, baseline: Report | undefined): Curve[] {
  const kinds = [...new Set([...Object.keys(report.byKind), ...Object.keys(baseline?.byKind ?? {})])];
  const sides: { readonly suffix: string; readonly dashed: boolean; readonly report: Report }[] = baseline
    ? [
        { suffix: ' (after)', dashed: false, report },
        { suffix: ' (before)', dashed: true, report: baseline },
      ]
    : [{ suffix: '', dashed: false, report }];
  const curves: Curve[] = [];
  const add = (name: string, color: string, stats: Stats | undefined, side: (typeof sides)[number]): void => {
    if (stats === undefined) return;
    curves.push({ line: { label: name + side.suffix, color, dashed: side.dashed, stepped: false }, histogram: stats.histogram });
  };
  for (const side of sides) add('total', TOTAL_COLOR, side.report.totals, side);
  kinds.forEach((kind, i) => {
    for (const side of sides) add(kind, paletteColor(i), side.report.byKind[kind], side);
  });
  return curves;
}
