import type { ReportWarning } from '../../reports/schema.js';
import { STEEP_GROWTH_LIMITS, steepGrowthMessage, type RssPoint } from './steep-growth.js';
import { SUT_DEFAULTS } from './sut-defaults.js';
import type { SutPhaseStats } from './sut-phase-stats.js';

/**
 * The leak rules over a phase's RSS samples (docs/measurement.md §11): a careful rule for slow
 * growth over a long phase, and a steep-growth rule for a phase of any length.
 */

/**
 * The careful rule: RSS grew at ≥ `leakSlopeMiBPerMin` and ≥ 5 % of the starting RSS per minute,
 * along a straight enough line (R² ≥ `leakMinR2`), over ≥ 8 samples, in a phase of at least
 * `leakMinSpanMs`. A phase shorter than a minute must also have grown by a whole minute's worth of
 * that threshold (≥ 1 MiB and ≥ 5 %): a heap settling by 1 MiB in a 2 s run is 30 MiB/min when
 * extrapolated, yet no leak. Returns the warning's message, or undefined.
 */
export function carefulLeakMessage(s: SutPhaseStats, leakMinSpanMs: number): string | undefined {
  if (s.count < SUT_DEFAULTS.leakMinSamples || s.spanMs < leakMinSpanMs) return undefined;
  const { slopeMiBPerMin, r2 } = s.trend();
  const minSlope = Math.max(SUT_DEFAULTS.leakSlopeMiBPerMin, SUT_DEFAULTS.leakSlopeFractionOfStartPerMin * s.rssStartMiB);
  // Growth along the fitted line over the phase, vs one minute's worth of the threshold slope
  // (which the slope test alone already implies for phases of a minute or more).
  const fittedGrowthMiB = slopeMiBPerMin * (s.spanMs / 60_000);
  if (slopeMiBPerMin < minSlope || fittedGrowthMiB < minSlope || r2 < SUT_DEFAULTS.leakMinR2) return undefined;
  return `the SUT's memory kept growing during the measured phase: ${slopeMiBPerMin.toFixed(1)} MiB/min ` +
    `(R² ${r2.toFixed(2)}, ${s.rssStartMiB.toFixed(1)} → ${s.rssEndMiB.toFixed(1)} MiB over ${(s.spanMs / 1000).toFixed(1)} s) — a likely leak`;
}

/**
 * The report's leak warning by two rules: the careful one (`sut_memory_growth`) when it holds;
 * otherwise, for growth ≥ 3× the start and ≥ 16 MiB, R² ≥ 0.9, still rising over the phase's last
 * quarter, `sut_memory_steep_growth`: a likely leak, to confirm with a longer run
 * (harness/sut/steep-growth.ts). Undefined when neither rule holds.
 */
export function leakFinding(s: SutPhaseStats, points: readonly RssPoint[], leakMinSpanMs: number): ReportWarning | undefined {
  const careful = carefulLeakMessage(s, leakMinSpanMs);
  if (careful) return { code: 'sut_memory_growth', message: careful };
  const limits = { ...STEEP_GROWTH_LIMITS, minSamples: SUT_DEFAULTS.leakMinSamples };
  const steep = steepGrowthMessage(points, s.trend(), limits, leakMinSpanMs);
  return steep ? { code: 'sut_memory_steep_growth', message: steep } : undefined;
}
