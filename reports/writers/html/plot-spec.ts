/**
 * The plots of the HTML report as plain data. Node computes every point; the page's script only
 * turns a {@link PlotSpec} into uPlot options, so what the page shows is testable without a browser.
 */

/** How the x axis reads: HDR percentile (x = 1/(1−p), log scale) or seconds since the run began. */
export type PlotXAxis = 'percentile' | 'elapsed';

/** One line of a plot. */
export interface PlotLine {
  readonly label: string;
  /** CSS colour of the stroke. */
  readonly color: string;
  /** Dashed: the baseline ("before") side of a comparison. */
  readonly dashed: boolean;
  /** Drawn as steps: per-second counts, which hold for the whole second. */
  readonly stepped: boolean;
}

/** One plot: uPlot's aligned data layout, `data[0]` the x values and `data[i + 1]` line i's y values. */
export interface PlotSpec {
  /** Element id of the plot's container (unique in the page). */
  readonly id: string;
  readonly title: string;
  readonly xAxis: PlotXAxis;
  /** Label of the y axis, with its unit. */
  readonly yLabel: string;
  /** Log-scaled y axis: latency tails span decades, and a linear axis flattens the median to a line at 0. */
  readonly yLog: boolean;
  readonly lines: readonly PlotLine[];
  /** `null` where a line has no value at that x (a gap, not a zero). */
  readonly data: readonly (readonly (number | null)[])[];
}

/** Colour of the "total" lines: near-black so it reads as the sum of the coloured kinds. */
export const TOTAL_COLOR = '#222222';

/** Colour-blind-safe palette (Okabe–Ito, without black), cycled over kinds and error causes. */
const PALETTE = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#d55e00', '#56b4e9', '#b8a400'] as const;

/** The colour for the i-th kind or cause. */
export function paletteColor(index: number): string {
  return PALETTE[index % PALETTE.length] ?? TOTAL_COLOR;
}

/** Points of one line before alignment: x → y, where a null y is a gap the line must not bridge. */
export type XyPoints = readonly (readonly [number, number | null])[];

/**
 * Aligns lines that were sampled at different x values (a baseline's seconds, SUT samples) onto the
 * sorted union of their x values, with `null` where a line has no point: uPlot needs one shared x.
 */
export function alignLines(lines: readonly XyPoints[]): (number | null)[][] {
  const xs = [...new Set(lines.flatMap((points) => points.map(([x]) => x)))].sort((a, b) => a - b);
  const indexOf = new Map(xs.map((x, i) => [x, i]));
  const ys = lines.map((points) => {
    const column: (number | null)[] = xs.map(() => null);
    for (const [x, y] of points) column[indexOf.get(x) ?? 0] = y;
    return column;
  });
  return [xs, ...ys];
}
