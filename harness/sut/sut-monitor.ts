import { systemClock, type Clock } from '../../core/clock.js';
import { redactProxyUrl } from '../../core/proxy-url.js';
import type { ReportWarning, SutResources, SutSample } from '../../reports/schema.js';
import { BoundedSeries } from './bounded-series.js';
import { sampleProcessTree, type ProcessTreeSample } from './process-tree-sampler.js';
import { carefulLeakMessage, leakFinding } from './leak-rules.js';
import { SUT_DEFAULTS } from './sut-defaults.js';
import type { RssPoint } from './steep-growth.js';
import { SutPhaseStats, type CpuInterval } from './sut-phase-stats.js';

/** Options of a {@link SutMonitor}. */
export interface SutMonitorOptions {
  /** Root of the process tree to sample. */
  readonly pid: number;
  /** Time between samples, ms (default {@link SUT_DEFAULTS}.sampleIntervalMs). */
  readonly intervalMs?: number;
  /** Time source (tests inject a fake one). */
  readonly clock?: Clock;
  /** Sampler (default {@link sampleProcessTree}); resolves undefined once the process is gone. */
  readonly sample?: (pid: number) => Promise<ProcessTreeSample | undefined>;
  /** Shortest measured phase that gets a leak verdict, ms (default {@link SUT_DEFAULTS}.leakMinSpanMs). */
  readonly leakMinSpanMs?: number;
}

type Phase = 'before' | 'measured' | 'after';

interface Previous {
  readonly atMs: number;
  readonly phase: Phase;
  readonly cpuTimeMs: number;
}

const BYTES_PER_MIB = 1024 * 1024;
const round = (value: number, digits: number): number => Number(value.toFixed(digits));

/**
 * Samples the SUT's process tree on an interval and turns the samples into the report's
 * {@link SutResources}. Every statistic covers the measured phase (between
 * {@link SutMonitor.markMeasureStart} and {@link SutMonitor.markMeasureEnd}), or the whole
 * sampling when no phase was marked; the sample series covers everything (start-up and warm-up
 * included), so a reader sees where memory went. Sampling stops for good when the process is gone,
 * as its pid may be reused.
 */
export class SutMonitor {
  private readonly pid: number;
  private readonly leakMinSpanMs: number;
  private readonly intervalMs: number;
  private readonly clock: Clock;
  private readonly sample: (pid: number) => Promise<ProcessTreeSample | undefined>;
  // Samples are taken one at a time, in call order, so phase marks and loop ticks never interleave.
  private chain: Promise<void> = Promise.resolve();
  private loop: Promise<void> | undefined;
  private wake: () => void = () => undefined;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private gone = false;
  private phase: Phase = 'before';
  private previous: Previous | undefined;
  private samplerFailure: string | undefined;
  private samplerFailures = 0;
  private recorded = 0;
  private lastRssBytes = 0;
  private readonly all = new SutPhaseStats();
  private readonly measured = new SutPhaseStats();
  // RSS over time for the steep-growth rule, of every sample and of the measured phase (bounded).
  private readonly allRss = new BoundedSeries<RssPoint>(SUT_DEFAULTS.maxReportSamples);
  private readonly measuredRss = new BoundedSeries<RssPoint>(SUT_DEFAULTS.maxReportSamples);
  private readonly series = new BoundedSeries<SutSample>(SUT_DEFAULTS.maxReportSamples);

  /** Creates a monitor; nothing is sampled until {@link SutMonitor.start}. */
  constructor(options: SutMonitorOptions) {
    this.pid = options.pid;
    this.intervalMs = options.intervalMs ?? SUT_DEFAULTS.sampleIntervalMs;
    if (!(this.intervalMs > 0)) throw new RangeError(`intervalMs must be > 0 (got ${this.intervalMs})`);
    this.clock = options.clock ?? systemClock;
    this.sample = options.sample ?? sampleProcessTree;
    this.leakMinSpanMs = options.leakMinSpanMs ?? SUT_DEFAULTS.leakMinSpanMs;
  }

  /** True once a sample found the process gone. */
  get processGone(): boolean {
    return this.gone;
  }

  /** Starts sampling now and every interval after; calling it again does nothing. */
  start(): void {
    if (this.loop || this.stopping) return;
    this.loop = this.run();
  }

  /** Marks the start of the measured phase (after warm-up) and samples at once. */
  markMeasureStart(): void {
    this.enqueue(async () => {
      if (this.phase !== 'before') return;
      this.phase = 'measured';
      await this.takeSample();
    });
  }

  /** Marks the end of the measured phase and samples at once (the phase's last sample). */
  markMeasureEnd(): void {
    this.enqueue(async () => {
      if (this.phase !== 'measured') return;
      await this.takeSample();
      this.phase = 'after';
    });
  }

  /**
   * Takes a sample now (it joins the series like any other) and resolves with the tree's RSS, MiB;
   * undefined when the process is gone or the sampler failed. For figures tied to a moment of the
   * run, such as a hold run's RSS before opening and while connections are held.
   */
  sampleRssMiB(): Promise<number | undefined> {
    return new Promise((resolve) => {
      this.enqueue(async () => {
        const before = this.recorded;
        await this.takeSample();
        resolve(this.recorded > before ? this.lastRssBytes / BYTES_PER_MIB : undefined);
      });
    });
  }

  /** Stops sampling after one last sample; resolves when no sample is in flight. Idempotent. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping = true;
      this.wake();
      await this.loop;
      this.enqueue(() => this.takeSample());
      await this.chain;
    })();
    return this.stopped;
  }

  private async run(): Promise<void> {
    const startedAtMs = this.clock.now();
    let tick = 0;
    while (!this.stopping && !this.gone) {
      this.enqueue(() => this.takeSample());
      await this.chain;
      // Aim at start + k·interval so sampling time does not stretch the period; when the harness
      // fell behind, skip the missed ticks instead of sampling in a burst.
      tick = Math.max(tick + 1, Math.ceil((this.clock.now() - startedAtMs) / this.intervalMs));
      const woken = new Promise<void>((resolve) => (this.wake = resolve));
      if (this.stopping || this.gone) break;
      await Promise.race([this.clock.sleep(startedAtMs + tick * this.intervalMs - this.clock.now()), woken]);
    }
  }

  private enqueue(task: () => Promise<void>): void {
    this.chain = this.chain.then(task);
  }

  private async takeSample(): Promise<void> {
    if (this.gone) return;
    const beforeMs = this.clock.now();
    let sample: ProcessTreeSample | undefined;
    try {
      sample = await this.sample(this.pid);
    } catch (err) {
      // A sampler failure must not fail the run; it is reported once, and sampling goes on.
      this.samplerFailure ??= err instanceof Error ? err.message : String(err);
      this.samplerFailures++;
      return;
    }
    if (!sample) {
      this.gone = true;
      this.wake();
      return;
    }
    // The midpoint is the best guess of when /proc was read.
    this.record(sample, (beforeMs + this.clock.now()) / 2);
  }

  private record(sample: ProcessTreeSample, atMs: number): void {
    const prev = this.previous;
    // CPU time may step back when a child exits unreaped by the tree; count that as no CPU.
    const interval: CpuInterval | undefined = prev
      ? { cpuMs: Math.max(0, sample.cpuTimeMs - prev.cpuTimeMs), elapsedMs: atMs - prev.atMs }
      : undefined;
    this.all.add(sample, atMs, interval);
    const rss: RssPoint = { atMs, rssMiB: sample.rssBytes / BYTES_PER_MIB };
    this.allRss.push(rss);
    if (this.phase === 'measured') {
      this.measured.add(sample, atMs, prev?.phase === 'measured' ? interval : undefined);
      this.measuredRss.push(rss);
    }
    this.previous = { atMs, phase: this.phase, cpuTimeMs: sample.cpuTimeMs };
    this.recorded++;
    this.lastRssBytes = sample.rssBytes;
    this.series.push({
      t: round(sample.wallMs / 1000, 3),
      rssMiB: round(sample.rssBytes / BYTES_PER_MIB, 2),
      cpuPercent: interval && interval.elapsedMs > 0 ? round((interval.cpuMs / interval.elapsedMs) * 100, 1) : 0,
      fds: sample.fds,
      threads: sample.threads,
    });
  }

  /** The statistics in force: the measured phase's, or all samples' when no phase was marked. */
  private stats(): SutPhaseStats {
    return this.measured.count > 0 ? this.measured : this.all;
  }

  /**
   * The report's view of the SUT. CPU % = Δcpu / Δwall × 100 between consecutive samples (percent
   * of one core); the RSS slope is a least-squares fit over the measured phase only;
   * `cpuMsPer1kRequests` divides the measured phase's CPU time by `measuredRequests`. Call after
   * {@link SutMonitor.stop} so every sample is in.
   */
  summarize(info: {
    source: 'embedded' | 'spawned' | 'attached';
    command?: string;
    startupMs?: number;
    measuredRequests: number;
  }): SutResources {
    const s = this.stats();
    const trend = s.trend();
    return {
      source: info.source,
      pid: this.pid,
      ...(info.command !== undefined ? { command: redactProxyUrl(info.command) } : {}),
      ...(info.startupMs !== undefined ? { startupMs: round(info.startupMs, 1) } : {}),
      rssPeakMiB: round(s.rssPeakMiB, 2),
      cpuPercentMean: round(s.cpuMeanPercent, 1),
      rssMiB: { start: round(s.rssStartMiB, 2), peak: round(s.rssPeakMiB, 2), mean: round(s.rssMeanMiB, 2), end: round(s.rssEndMiB, 2) },
      rssSlopeMiBPerMin: round(trend.slopeMiBPerMin, 3),
      rssSlopeR2: round(trend.r2, 3),
      cpuPercent: { mean: round(s.cpuMeanPercent, 1), peak: round(s.cpuPeakPercent, 1) },
      cpuMsPer1kRequests: info.measuredRequests > 0 ? round((s.cpuMs / info.measuredRequests) * 1000, 2) : 0,
      fdsPeak: s.fdsPeak,
      threadsPeak: s.threadsPeak,
      samples: this.series.toArray(),
    };
  }

  /** The careful leak rule's message for the measured phase (harness/sut/leak-rules.ts), or undefined. */
  leakWarning(): string | undefined {
    return carefulLeakMessage(this.stats(), this.leakMinSpanMs);
  }

  /** The report's leak warning by the careful rule, else the steep-growth rule (harness/sut/leak-rules.ts). */
  leakFinding(): ReportWarning | undefined {
    const s = this.stats();
    return leakFinding(s, (s === this.measured ? this.measuredRss : this.allRss).toArray(), this.leakMinSpanMs);
  }

  /** The first error the sampler threw, if any (sampling went on without that sample). */
  get samplingError(): string | undefined {
    return this.samplerFailure;
  }

  /**
   * The `sut_sampling_failed` warning when any sample could not be taken: how many, and the first
   * error, so a reader knows the RSS and CPU figures miss those moments. Undefined otherwise.
   */
  samplingWarning(): ReportWarning | undefined {
    if (this.samplerFailures === 0) return undefined;
    const taken = `${this.recorded} sample${this.recorded === 1 ? '' : 's'} taken`;
    return {
      code: 'sut_sampling_failed',
      message: `${this.samplerFailures} of the SUT's resource samples failed (${taken}); its RSS and CPU figures miss those moments. First error: ${this.samplerFailure}`,
    };
  }
}
