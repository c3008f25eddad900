import { describe, expect, it } from 'vitest';
import type { Clock } from '../../core/clock.js';
import type { ProcessTreeSample } from '../../harness/sut/process-tree-sampler.js';
import { SutMonitor } from '../../harness/sut/sut-monitor.js';
import { SUT_DEFAULTS } from '../../harness/sut/sut-defaults.js';

const MIB = 1024 * 1024;
const EPOCH_MS = 1_800_000_000_000;

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A clock that moves only when the test says so; sleepers wake in due order. */
class FakeClock implements Clock {
  private t = 0;
  private sleepers: { at: number; wake: () => void }[] = [];
  now(): number {
    return this.t;
  }
  wallNow(): number {
    return EPOCH_MS + this.t;
  }
  /** Time passes inside a call (a slow sampler) without waking anyone until the next advance. */
  spend(ms: number): void {
    this.t += ms;
  }
  sleep(ms: number): Promise<void> {
    return new Promise((wake) => this.sleepers.push({ at: this.t + Math.max(0, ms), wake }));
  }
  /** Moves time forward in steps of `stepMs`, letting every due sleeper (and what it starts) run. */
  async advance(totalMs: number, stepMs = 50): Promise<void> {
    await flush(); // what was started before time moves runs at the present time
    for (let moved = 0; moved < totalMs; moved += stepMs) {
      this.t += Math.min(stepMs, totalMs - moved);
      const due = this.sleepers.filter((s) => s.at <= this.t);
      this.sleepers = this.sleepers.filter((s) => s.at > this.t);
      for (const s of due) s.wake();
      await flush();
    }
  }
}

interface Script {
  /** RSS at time t (ms since start), MiB. */
  readonly rssMiB: (tMs: number) => number;
  /** Cumulative CPU time at time t, ms. */
  readonly cpuMs?: (tMs: number) => number;
  /** The process is gone from this time on. */
  readonly goneAtMs?: number;
  /** Time each sample takes, ms. */
  readonly spendMs?: number;
  /** This call (1-based) throws. */
  readonly throwOnCall?: number;
}

function scripted(clock: FakeClock, script: Script): { sample: (pid: number) => Promise<ProcessTreeSample | undefined>; calls: () => number } {
  let calls = 0;
  return {
    calls: () => calls,
    sample: async () => {
      calls++;
      if (calls === script.throwOnCall) throw new Error('EIO reading /proc');
      clock.spend(script.spendMs ?? 0);
      const t = clock.now();
      if (script.goneAtMs !== undefined && t >= script.goneAtMs) return undefined;
      return { wallMs: clock.wallNow(), rssBytes: script.rssMiB(t) * MIB, cpuTimeMs: script.cpuMs?.(t) ?? 0, fds: 10 + Math.floor(t / 1000), threads: 3, processes: 1 };
    },
  };
}

/** Runs `beforeMs` unmeasured, then `measureMs` measured, then stops; returns the monitor. */
async function run(script: Script, beforeMs: number, measureMs: number, intervalMs = 250, leakMinSpanMs?: number): Promise<SutMonitor> {
  const clock = new FakeClock();
  const monitor = new SutMonitor({ pid: 4242, intervalMs, clock, sample: scripted(clock, script).sample, ...(leakMinSpanMs !== undefined ? { leakMinSpanMs } : {}) });
  monitor.start();
  await clock.advance(beforeMs);
  monitor.markMeasureStart();
  await clock.advance(measureMs);
  monitor.markMeasureEnd();
  await monitor.stop();
  return monitor;
}

describe('SutMonitor statistics', () => {
  it('computes CPU as Δcpu/Δwall over the measured phase, and CPU time per 1000 requests', async () => {
    // 50 % of one core before and during, 150 % during seconds 3–4 of the measured phase.
    const cpuMs = (t: number): number => t * 0.5 + Math.min(Math.max(t - 4000, 0), 1000);
    const monitor = await run({ rssMiB: () => 40, cpuMs }, 1000, 10_000);
    const r = monitor.summarize({ source: 'spawned', command: 'squid -N', startupMs: 12.34, measuredRequests: 2000 });
    // 10 s measured: 5000 ms at 50 % + 1000 ms extra = 6000 ms of CPU.
    expect(r.cpuPercent.mean).toBe(60);
    expect(r.cpuPercentMean).toBe(60);
    expect(r.cpuPercent.peak).toBe(150);
    expect(r.cpuMsPer1kRequests).toBe(3000);
    expect(r.startupMs).toBe(12.3);
    expect(r.source).toBe('spawned');
    expect(r.pid).toBe(4242);
  });

  it('fits the RSS slope over the measured phase only, not the start-up growth before it', async () => {
    const rssMiB = (t: number): number => (t < 2000 ? 20 + t / 100 : 40 + ((t - 2000) / 60_000) * 6);
    const monitor = await run({ rssMiB }, 2000, 30_000);
    const r = monitor.summarize({ source: 'embedded', measuredRequests: 1 });
    expect(r.rssSlopeMiBPerMin).toBeCloseTo(6, 2);
    expect(r.rssSlopeR2).toBe(1);
    expect(r.rssMiB).toMatchObject({ start: 40, peak: 43, end: 43 });
    expect(r.rssMiB.mean).toBeCloseTo(41.5, 1);
    expect(r.rssPeakMiB).toBe(43);
    expect(r.fdsPeak).toBe(10 + 32);
    expect(r.threadsPeak).toBe(3);
  });

  it('uses every sample when no measured phase was marked', async () => {
    const clock = new FakeClock();
    const monitor = new SutMonitor({ pid: 1, clock, sample: scripted(clock, { rssMiB: (t) => 10 + t / 1000, cpuMs: (t) => t / 4 }).sample });
    monitor.start();
    await clock.advance(4000);
    await monitor.stop();
    const r = monitor.summarize({ source: 'attached', measuredRequests: 0 });
    expect(r.rssMiB.start).toBe(10);
    expect(r.rssMiB.end).toBe(14);
    expect(r.cpuPercent.mean).toBe(25);
    expect(r.cpuMsPer1kRequests).toBe(0);
    // Every 250 ms from 0 to 4000, and one more on stop.
    expect(r.samples).toHaveLength(18);
  });

  it('keeps a series stamped in Unix seconds with the CPU of each interval', async () => {
    const monitor = await run({ rssMiB: (t) => 32 + t / 1000, cpuMs: (t) => t * 0.2 }, 500, 500);
    const { samples } = monitor.summarize({ source: 'spawned', measuredRequests: 0 });
    expect(samples[0]).toEqual({ t: EPOCH_MS / 1000, rssMiB: 32, cpuPercent: 0, fds: 10, threads: 3 });
    expect(samples[1]).toEqual({ t: EPOCH_MS / 1000 + 0.25, rssMiB: 32.25, cpuPercent: 20, fds: 10, threads: 3 });
    expect(samples.map((s) => s.t)).toEqual([...samples.map((s) => s.t)].sort((a, b) => a - b));
  });

  it('redacts a URL password in the command it reports', async () => {
    const monitor = await run({ rssMiB: () => 1 }, 0, 500);
    const r = monitor.summarize({ source: 'spawned', command: 'relay --upstream http://u:secret@127.0.0.1:3128', measuredRequests: 0 });
    expect(r.command).toBe('relay --upstream http://u:***@127.0.0.1:3128');
  });
});

describe('SutMonitor sampling', () => {
  it('stops sampling for good once the process is gone', async () => {
    const clock = new FakeClock();
    const script = scripted(clock, { rssMiB: () => 5, goneAtMs: 2000 });
    const monitor = new SutMonitor({ pid: 7, clock, sample: script.sample });
    monitor.start();
    await clock.advance(5000);
    expect(monitor.processGone).toBe(true);
    // Samples at 0, 250, …, 1750, then the one that found it gone at 2000: nothing after.
    expect(script.calls()).toBe(9);
    await monitor.stop();
    expect(script.calls()).toBe(9);
    expect(monitor.summarize({ source: 'attached', measuredRequests: 0 }).samples).toHaveLength(8);
  });

  it('goes on sampling after the sampler throws, and says what it threw', async () => {
    const clock = new FakeClock();
    const monitor = new SutMonitor({ pid: 7, clock, sample: scripted(clock, { rssMiB: () => 1, throwOnCall: 2 }).sample });
    monitor.start();
    await clock.advance(1000);
    await monitor.stop();
    expect(monitor.samplingError).toBe('EIO reading /proc');
    // 0, 250 (threw), 500, 750, 1000, and the last one on stop.
    expect(monitor.summarize({ source: 'attached', measuredRequests: 0 }).samples).toHaveLength(5);
  });

  it('samples on the interval it is given, without drifting by the sampling time', async () => {
    const clock = new FakeClock();
    // Each sample takes 30 ms: a loop that slept 100 ms after each would sample only 77 times.
    const script = scripted(clock, { rssMiB: () => 1, spendMs: 30 });
    const monitor = new SutMonitor({ pid: 7, intervalMs: 100, clock, sample: script.sample });
    monitor.start();
    while (clock.now() < 10_000) await clock.advance(10, 10);
    // At 0, 100, …, 10 000 ms.
    expect(script.calls()).toBe(101);
    await monitor.stop();
  });
});

describe('SutMonitor leak verdict', () => {
  it.each([
    { case: 'steady growth of 10 MiB/min on 50 MiB for a minute', start: 50, slope: 10, noise: 0, ms: 60_000, leak: true },
    { case: 'growth of 0.5 MiB/min (under 1 MiB/min)', start: 5, slope: 0.5, noise: 0, ms: 60_000, leak: false },
    { case: 'growth of 3 MiB/min on 100 MiB (under 5 % a minute)', start: 100, slope: 3, noise: 0, ms: 60_000, leak: false },
    { case: 'growth drowned in ±8 MiB of noise (R² < 0.8)', start: 50, slope: 5, noise: 8, ms: 60_000, leak: false },
    { case: 'a 1.5 MiB rise within a 2 s phase (extrapolates to 45 MiB/min)', start: 50, slope: 45, noise: 0, ms: 2000, minSpan: 1000, leak: false },
    { case: '40 MiB within a 2 s phase, short phases allowed', start: 50, slope: 1200, noise: 0, ms: 2000, minSpan: 1000, leak: true },
    { case: '35 MiB within a 10 s phase, under the default 30 s minimum (warm-up looks the same)', start: 55, slope: 210, noise: 0, ms: 10_000, leak: false },
    { case: 'steep growth over only 7 samples', start: 50, slope: 1200, noise: 0, ms: 1250, minSpan: 1000, leak: false },
  ])('says $leak for $case', async ({ start, slope, noise, ms, leak, ...rest }) => {
    const rssMiB = (t: number): number => start + (slope * t) / 60_000 + (Math.round(t / 250) % 2 === 0 ? noise : -noise);
    const minSpan = 'minSpan' in rest ? rest.minSpan : undefined;
    const monitor = await run({ rssMiB }, 0, ms, 250, minSpan);
    const warning = monitor.leakWarning();
    if (leak) expect(warning).toMatch(/memory kept growing during the measured phase: [\d.]+ MiB\/min .*a likely leak/);
    else expect(warning).toBeUndefined();
  });

  it('has the documented defaults', () => {
    expect(SUT_DEFAULTS).toMatchObject({ sampleIntervalMs: 250, readyTimeoutMs: 10_000, stopGraceMs: 3000, leakSlopeMiBPerMin: 1, leakMinR2: 0.8 });
  });
});
