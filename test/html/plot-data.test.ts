import { describe, expect, it } from 'vitest';
import type { Report, SeriesPoint } from '../../reports/schema.js';
import { percentilePlot } from '../../reports/writers/html/percentile-plot.js';
import { alignLines } from '../../reports/writers/html/plot-spec.js';
import { errorsPlot, latencyPlot, rpsPlot, sutPlots } from '../../reports/writers/html/time-plots.js';
import { htmlFixtureReport } from '../support/html-report-fixture.js';

const current = htmlFixtureReport();
const baseline = htmlFixtureReport({ seed: 7, latencyScale: 0.8, startedAt: '2025-04-30T09:00:00.000Z' });

/** Column of the line labelled `label` (data[0] is x). */
function column(spec: { lines: readonly { label: string }[]; data: readonly (readonly (number | null)[])[] }, label: string): (number | null)[] {
  const index = spec.lines.findIndex((l) => l.label === label);
  expect(index, label).toBeGreaterThanOrEqual(0);
  return [...(spec.data[index + 1] ?? [])];
}

/** A copy of `report` whose series is changed point by point. */
function withSeries(report: Report, change: (point: SeriesPoint) => SeriesPoint): Report {
  return { ...report, series: report.series.map(change) };
}

describe('percentilePlot', () => {
  const plot = percentilePlot(current);

  it('draws one line for the total and one per kind on an x grid of 1/(1−p) from 1 to 10^4', () => {
    expect(plot?.lines.map((l) => l.label)).toEqual(['total', 'get-1k', 'connect-tls-16k', 'socks5-get']);
    expect(plot?.data[0]?.[0]).toBe(1);
    expect(plot?.data[0]?.at(-1)).toBe(10_000);
  });

  it.each([
    [10, 'p90'],
    [100, 'p99'],
    [1000, 'p999'],
  ] as const)('reads the total line at x = %i as the report’s %s', (x, key) => {
    const at = plot?.data[0]?.indexOf(x) ?? -1;
    expect(at).toBeGreaterThan(0);
    expect(column(plot!, 'total')[at]).toBe(current.totals.latencyMs[key]);
  });

  it('never decreases along a line, and ends one step past the line’s sample count', () => {
    const xs = plot!.data[0] as number[];
    for (const line of plot!.lines) {
      const ys = column(plot!, line.label);
      const drawn = ys.filter((y): y is number => y !== null);
      expect(drawn).toEqual([...drawn].sort((a, b) => a - b));
      const count = line.label === 'total' ? current.totals.latencyMs.count : current.byKind[line.label]!.latencyMs.count;
      const lastDrawn = ys.findLastIndex((y) => y !== null);
      expect(xs[lastDrawn - 1]).toBeLessThan(count);
      expect(xs[lastDrawn]).toBeGreaterThanOrEqual(count);
    }
  });

  it('adds the baseline’s lines dashed, labelled before, beside the current ones', () => {
    const compared = percentilePlot(current, baseline);
    expect(compared?.lines).toHaveLength(8);
    expect(compared?.lines.filter((l) => l.dashed).map((l) => l.label)).toEqual(
      ['total (before)', 'get-1k (before)', 'connect-tls-16k (before)', 'socks5-get (before)'],
    );
  });

  it('has nothing to draw when no request succeeded', () => {
    const failed: Report = {
      ...current,
      totals: { ...current.totals, histogram: '' },
      byKind: Object.fromEntries(Object.entries(current.byKind).map(([k, s]) => [k, { ...s, histogram: '' }])),
    };
    expect(percentilePlot(failed)).toBeNull();
  });
});

describe('plots over time', () => {
  it('puts each second at its offset from the measured start, with the series’ own rps', () => {
    const plot = rpsPlot(current);
    expect(plot?.data[0]).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(column(plot!, 'total')).toEqual(current.series.map((p) => p.totals.rps));
  });

  it('overlays a baseline from another day on the same seconds', () => {
    const plot = rpsPlot(current, baseline);
    expect(plot?.data[0]).toHaveLength(20);
    expect(column(plot!, 'total (before)')).toEqual(baseline.series.map((p) => p.totals.rps));
  });

  it('leaves a gap, not a zero, in latency for a second without a success', () => {
    const report = withSeries(current, (p) => (p.t === current.series[3]!.t ? { ...p, totals: { ...p.totals, successes: 0 } } : p));
    expect(column(latencyPlot(report)!, 'p99')[3]).toBeNull();
    expect(column(latencyPlot(report)!, 'p99')[4]).toBe(current.series[4]!.totals.p99);
  });

  it('counts failures per cause per second, adding up to the report’s totals', () => {
    const plot = errorsPlot(current)!;
    for (const line of plot.lines) {
      const sum = column(plot, line.label).reduce<number>((a, y) => a + (y ?? 0), 0);
      expect(sum, line.label).toBe(current.totals.errors[line.label as 'reset']);
    }
    expect(plot.lines.map((l) => l.label)).toEqual(['timeout_ttfb', 'reset', 'proxy_refused']);
  });

  it('has no failures plot when no second failed', () => {
    const clean = withSeries(current, (p) => ({ ...p, totals: { ...p.totals, failures: 0, errors: {} } }));
    expect(errorsPlot(clean)).toBeNull();
  });

  it('plots SUT samples from the warm-up on, at negative seconds', () => {
    const [rss, cpu] = sutPlots(current);
    expect(rss?.data[0]?.slice(0, 3)).toEqual([-2, -1.5, -1]);
    expect(column(rss!, 'RSS')).toEqual(current.sut!.samples.map((s) => s.rssMiB));
    expect(column(cpu!, 'CPU')).toEqual(current.sut!.samples.map((s) => s.cpuPercent));
  });

  it('has no SUT plots when the report has no SUT', () => {
    expect(sutPlots(htmlFixtureReport({ withSut: false }))).toEqual([]);
  });
});

describe('alignLines', () => {
  it('aligns lines on the sorted union of their x values with null where a line has no point', () => {
    expect(alignLines([[[0, 1], [2, 3]], [[1, 5], [2, 6]]])).toEqual([[0, 1, 2], [1, null, 3], [null, 5, 6]]);
  });
});
