import type { ProcessTreeSample } from './process-tree-sampler.js';

const BYTES_PER_MIB = 1024 * 1024;
const MS_PER_MIN = 60_000;

/** CPU used between two consecutive samples, both taken in the same phase. */
export interface CpuInterval {
  /** CPU time the tree used, ms. */
  readonly cpuMs: number;
  /** Time between the two samples, ms. */
  readonly elapsedMs: number;
}

/** Least-squares fit of RSS (MiB) against time (minutes). */
export interface RssTrend {
  readonly slopeMiBPerMin: number;
  /** Coefficient of determination; 0 when RSS did not vary at all (nothing to explain). */
  readonly r2: number;
}

/**
 * Running statistics of one phase of a SUT's life (e.g. the measured phase): every figure the
 * report needs is kept as sums and extremes, so memory stays constant however long a soak runs
 * (docs/measurement.md §9) and nothing is recomputed from a sample list.
 */
export class SutPhaseStats {
  /** Samples added. */
  count = 0;
  rssStartMiB = 0;
  rssEndMiB = 0;
  rssPeakMiB = 0;
  fdsPeak = 0;
  threadsPeak = 0;
  /** CPU time over the phase's intervals, ms. */
  cpuMs = 0;
  /** Time covered by those intervals, ms. */
  elapsedMs = 0;
  /** Highest CPU of one interval, percent of one core. */
  cpuPeakPercent = 0;
  private rssSumMiB = 0;
  private firstAtMs = 0;
  private lastAtMs = 0;
  // Sums for the least-squares fit, x in minutes since the phase's first sample, y in MiB above
  // its first RSS: small origins keep the float sums exact enough for hours of samples.
  private sx = 0;
  private sy = 0;
  private sxx = 0;
  private sxy = 0;
  private syy = 0;

  /** Adds a sample taken at `atMs` (monotonic ms); `interval` when the previous sample was in this phase too. */
  add(sample: ProcessTreeSample, atMs: number, interval?: CpuInterval): void {
    const rssMiB = sample.rssBytes / BYTES_PER_MIB;
    if (this.count === 0) {
      this.rssStartMiB = rssMiB;
      this.firstAtMs = atMs;
    }
    this.count++;
    this.lastAtMs = atMs;
    this.rssEndMiB = rssMiB;
    this.rssPeakMiB = Math.max(this.rssPeakMiB, rssMiB);
    this.rssSumMiB += rssMiB;
    this.fdsPeak = Math.max(this.fdsPeak, sample.fds);
    this.threadsPeak = Math.max(this.threadsPeak, sample.threads);
    if (interval && interval.elapsedMs > 0) {
      this.cpuMs += interval.cpuMs;
      this.elapsedMs += interval.elapsedMs;
      this.cpuPeakPercent = Math.max(this.cpuPeakPercent, (interval.cpuMs / interval.elapsedMs) * 100);
    }
    const x = (atMs - this.firstAtMs) / MS_PER_MIN;
    const y = rssMiB - this.rssStartMiB;
    this.sx += x;
    this.sy += y;
    this.sxx += x * x;
    this.sxy += x * y;
    this.syy += y * y;
  }

  /** Mean RSS over the samples, MiB. */
  get rssMeanMiB(): number {
    return this.count === 0 ? 0 : this.rssSumMiB / this.count;
  }

  /** Mean CPU, percent of one core, weighted by time (not a mean of per-interval percentages). */
  get cpuMeanPercent(): number {
    return this.elapsedMs === 0 ? 0 : (this.cpuMs / this.elapsedMs) * 100;
  }

  /** Time from the phase's first sample to its last, ms. */
  get spanMs(): number {
    return this.lastAtMs - this.firstAtMs;
  }

  /** Least-squares slope of RSS over time and its R². */
  trend(): RssTrend {
    const n = this.count;
    const sxxCentered = n * this.sxx - this.sx * this.sx;
    const syyCentered = n * this.syy - this.sy * this.sy;
    const sxyCentered = n * this.sxy - this.sx * this.sy;
    // Fewer than two distinct times, or float noise on a flat line: no trend to speak of.
    if (n < 2 || sxxCentered <= 0) return { slopeMiBPerMin: 0, r2: 0 };
    const slopeMiBPerMin = sxyCentered / sxxCentered;
    const r2 = syyCentered <= 1e-12 ? 0 : Math.min(1, (sxyCentered * sxyCentered) / (sxxCentered * syyCentered));
    return { slopeMiBPerMin, r2 };
  }
}
