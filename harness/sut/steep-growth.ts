/** One RSS sample of the SUT's process tree in the measured phase. */
export interface RssPoint {
  /** Monotonic time of the sample, ms. */
  readonly atMs: number;
  /** RSS of the tree, MiB. */
  readonly rssMiB: number;
}

/** What makes growth steep enough to call a likely leak in a phase of any length. */
export interface SteepGrowthLimits {
  /** Fewest samples in the phase. */
  readonly minSamples: number;
  /** RSS at the end at least this many times the RSS at the start. */
  readonly growthFactor: number;
  /** …and at least this much growth, MiB (a 2 MiB process tripling is a few buffers, not a leak). */
  readonly minGrowthMiB: number;
  /** Least-squares fit of RSS over time at least this good (R²). */
  readonly minR2: number;
  /** The last part of the phase that must still be rising, as a fraction of its span (0..1). */
  readonly tailFraction: number;
  /** …at no less than this fraction of the phase's mean pace: a heap that grew, then settled, stops. */
  readonly tailMinPace: number;
}

/** The steep-growth rule's defaults (the sample minimum is the careful rule's, SUT_DEFAULTS.leakMinSamples). */
export const STEEP_GROWTH_LIMITS: Omit<SteepGrowthLimits, 'minSamples'> = {
  growthFactor: 3,
  minGrowthMiB: 16,
  minR2: 0.9,
  tailFraction: 0.25,
  tailMinPace: 0.5,
};

/** The fit over the whole phase (from SutPhaseStats.trend). */
export interface RssFit {
  readonly slopeMiBPerMin: number;
  readonly r2: number;
}

/**
 * The steep-growth leak rule, for phases too short for the careful rule (see SutMonitor.leakFinding):
 * RSS ended ≥ `growthFactor` × where it started and ≥ `minGrowthMiB` above it, along a straight
 * line (R² ≥ `minR2`), and was still rising over the last `tailFraction` of the phase at
 * ≥ `tailMinPace` of the phase's mean pace. A runtime's heap settling under load (the Node
 * reference proxy: 50 → 90 MiB over ~10 s, then flat) grows by well under 3× and flattens, so it
 * passes; a proxy keeping memory per request (62 → 413 MiB in 8 s) does not. Returns the
 * warning's message, or undefined.
 *
 * @param points the phase's samples, oldest first (a thinned series is fine: only its shape counts)
 * @param confirmSpanMs the shortest phase the careful rule judges, ms (named in the message)
 */
export function steepGrowthMessage(points: readonly RssPoint[], fit: RssFit, limits: SteepGrowthLimits, confirmSpanMs: number): string | undefined {
  const first = points[0];
  const last = points[points.length - 1];
  if (points.length < limits.minSamples || !first || !last || !(first.rssMiB > 0)) return undefined;
  const growthMiB = last.rssMiB - first.rssMiB;
  const factor = last.rssMiB / first.rssMiB;
  if (factor < limits.growthFactor || growthMiB < limits.minGrowthMiB || fit.r2 < limits.minR2) return undefined;
  const spanMs = last.atMs - first.atMs;
  const tailStartMs = last.atMs - spanMs * limits.tailFraction;
  // The tail's growth from the last sample at or before its start (the first one at worst).
  const tailFrom = points.findLast((p) => p.atMs <= tailStartMs) ?? first;
  const tailGrowthMiB = last.rssMiB - tailFrom.rssMiB;
  const tailShare = (last.atMs - tailFrom.atMs) / spanMs;
  if (tailGrowthMiB < growthMiB * tailShare * limits.tailMinPace) return undefined;
  return `the SUT's memory grew steeply during the measured phase: ${first.rssMiB.toFixed(1)} → ${last.rssMiB.toFixed(1)} MiB ` +
    `(${factor.toFixed(1)}×) over ${(spanMs / 1000).toFixed(1)} s, ${fit.slopeMiBPerMin.toFixed(0)} MiB/min (R² ${fit.r2.toFixed(2)}), ` +
    `still rising at the end — likely a leak; confirm with a longer run (a measured phase of ${(confirmSpanMs / 1000).toFixed(0)} s or more gets the full verdict)`;
}
