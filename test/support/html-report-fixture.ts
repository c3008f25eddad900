import { addEncoded, createHistogram, encodeHistogram, summarize, type Histogram } from '../../reports/histogram-codec.js';
import { SCHEMA_VERSION, type Report, type SeriesPoint, type SeriesStats, type Stats, type SutSample } from '../../reports/schema.js';
import { addCounters, buildStats, emptyCounters, emptyHistograms, type StatsCounters, type StatsHistograms } from '../../reports/stats.js';
import type { ErrorCause } from '../../core/error-cause.js';
import { seededUniform } from '../../core/seeded-random.js';
import { SYNTHETIC_CONFIG } from './synthetic-report.js';

/**
 * A realistic report for the HTML writer's tests: real HdrHistograms filled from a seeded
 * log-normal latency model (with a slow tail), per-second series, a few failure bursts, and SUT
 * samples. Deterministic for a given seed, so screenshots compare run to run.
 */

/** Options of {@link htmlFixtureReport}. */
export interface HtmlFixtureOptions {
  /** PRNG seed; default 1. */
  readonly seed?: number;
  /** Multiplies every latency (0.8 = a 20 % faster run); default 1. */
  readonly latencyScale?: number;
  /** Include SUT samples; default true. */
  readonly withSut?: boolean;
  /** ISO start of the measured phase; default 2025-05-01T10:00:00.000Z. */
  readonly startedAt?: string;
  /** Scenario name (tests of escaping pass hostile ones); default `proxy-mixed`. */
  readonly scenario?: string;
  /** Request kinds with their median latency (ms) and requests per second; default three kinds. */
  readonly kinds?: readonly (readonly [name: string, medianMs: number, rps: number])[];
}

const SECONDS = 20;
const DEFAULT_KINDS: readonly (readonly [string, number, number])[] = [['get-1k', 1.2, 240], ['connect-tls-16k', 2.5, 120], ['socks5-get', 1.6, 60]];

/** A seeded PRNG, so the fixture is the same on every run. */
const prng = seededUniform;

/** Latency in µs: log-normal around the median, 1 in 200 from a 10–40× slow tail (GC, retransmit). */
function latencyUs(random: () => number, medianMs: number): number {
  const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const tail = random() < 0.005 ? 10 + random() * 30 : 1;
  return Math.max(1, Math.round(medianMs * 1000 * Math.exp(0.35 * normal) * tail));
}

/** Failure bursts: second → cause, as a faulty proxy would produce them. */
const FAILURES: ReadonlyMap<number, readonly [ErrorCause, number]> = new Map([
  [4, ['timeout_ttfb', 6]], [5, ['timeout_ttfb', 11]], [11, ['reset', 4]], [15, ['proxy_refused', 9]], [16, ['reset', 2]],
]);

interface KindAccumulator { counters: StatsCounters; histograms: StatsHistograms }

function recordSecond(random: () => number, second: number, medianMs: number, rps: number, kind: KindAccumulator): { stats: SeriesStats; counters: StatsCounters } {
  const counters = emptyCounters();
  const secondHistogram: Histogram = createHistogram();
  const failure = FAILURES.get(second);
  const failures = failure?.[1] ?? 0;
  // ±10 % from second to second, and a dip while the failures last, as a real run wobbles.
  const requests = Math.round(rps * (0.9 + random() * 0.2)) - failures * 2;
  for (let i = 0; i < requests; i += 1) {
    const us = latencyUs(random, medianMs);
    if (i < failures) continue;
    secondHistogram.recordValue(us);
    kind.histograms.latency.recordValue(us);
    kind.histograms.serviceTime.recordValue(Math.round(us * 0.92));
    kind.histograms.ttfb.recordValue(Math.round(us * 0.8));
    if (i % 25 === 0) {
      kind.histograms.connect.recordValue(Math.round(150 + random() * 100));
      kind.histograms.proxyHandshake.recordValue(Math.round(300 + random() * 200));
    }
  }
  counters.requests = requests;
  counters.failures = failures;
  counters.successes = requests - failures;
  counters.bytesIn = counters.successes * 1024;
  counters.connectionsOpened = Math.ceil(requests / 25);
  counters.connectionsReused = requests - counters.connectionsOpened;
  if (failure) counters.errors[failure[0]] = failures;
  const summary = summarize(secondHistogram);
  const stats: SeriesStats = {
    requests: counters.requests, successes: counters.successes, failures, errors: { ...counters.errors },
    rps: counters.requests, bytesIn: counters.bytesIn, p50: summary.p50, p99: summary.p99, inFlight: 3,
    histogram: encodeHistogram(secondHistogram),
  };
  secondHistogram.destroy();
  return { stats, counters };
}

function sumSeriesStats(parts: readonly SeriesStats[]): SeriesStats {
  const h = createHistogram();
  const errors: Partial<Record<ErrorCause, number>> = {};
  for (const p of parts) {
    for (const [cause, n] of Object.entries(p.errors) as [ErrorCause, number][]) errors[cause] = (errors[cause] ?? 0) + n;
  }
  const sum = (key: 'requests' | 'successes' | 'failures' | 'rps' | 'bytesIn' | 'inFlight'): number => parts.reduce((a, p) => a + p[key], 0);
  // The totals' percentiles come from the merged histogram, as the aggregator computes them.
  for (const p of parts) addEncoded(h, p.histogram);
  const s = summarize(h);
  const result: SeriesStats = {
    requests: sum('requests'), successes: sum('successes'), failures: sum('failures'), errors, rps: sum('rps'),
    bytesIn: sum('bytesIn'), p50: s.p50, p99: s.p99, inFlight: sum('inFlight'), histogram: encodeHistogram(h),
  };
  h.destroy();
  return result;
}

function sutSamples(random: () => number, startSeconds: number, latencyScale: number): SutSample[] {
  // One sample every 500 ms from 2 s of warm-up on; RSS creeps up (a small leak) and CPU follows load.
  return Array.from({ length: (SECONDS + 2) * 2 }, (_, i) => ({
    t: startSeconds - 2 + i / 2,
    rssMiB: Math.round((46 + i * 0.12 + random() * 0.8) * 100) / 100,
    cpuPercent: Math.round((i < 4 ? 8 : 38 / latencyScale + random() * 12) * 10) / 10,
    fds: 40 + Math.round(random() * 6),
    threads: 7,
  }));
}

/** Builds the fixture report (see {@link HtmlFixtureOptions}). */
export function htmlFixtureReport(options: HtmlFixtureOptions = {}): Report {
  const random = prng(options.seed ?? 1);
  const scale = options.latencyScale ?? 1;
  const startedAt = options.startedAt ?? '2025-05-01T10:00:00.000Z';
  const startSeconds = Math.floor(Date.parse(startedAt) / 1000);
  const kinds = options.kinds ?? DEFAULT_KINDS;
  const perKind = new Map(kinds.map(([name]) => [name, { counters: emptyCounters(), histograms: emptyHistograms() }]));
  const series: SeriesPoint[] = [];
  for (let second = 0; second < SECONDS; second += 1) {
    const byKind: Record<string, SeriesStats> = {};
    for (const [name, medianMs, rps] of kinds) {
      const acc = perKind.get(name) as KindAccumulator;
      const { stats, counters } = recordSecond(random, second, medianMs * scale, rps, acc);
      addCounters(acc.counters, counters);
      byKind[name] = stats;
    }
    series.push({ t: startSeconds + second, totals: sumSeriesStats(Object.values(byKind)), byKind });
  }
  const durationMs = SECONDS * 1000;
  const byKind: Record<string, Stats> = {};
  const totalCounters = emptyCounters();
  const totalHistograms = emptyHistograms();
  for (const [name, acc] of perKind) {
    byKind[name] = buildStats(acc.counters, acc.histograms, durationMs);
    addCounters(totalCounters, acc.counters);
    for (const key of Object.keys(totalHistograms) as (keyof StatsHistograms)[]) totalHistograms[key].add(acc.histograms[key]);
  }
  const totals = buildStats(totalCounters, totalHistograms, durationMs);
  const samples = sutSamples(random, startSeconds, scale);
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'proxybench', version: '0.1.0' },
    scenario: options.scenario ?? 'proxy-mixed',
    config: {
      ...SYNTHETIC_CONFIG,
      scenario: options.scenario ?? 'proxy-mixed',
      load: { model: 'open', rate: totals.rps, maxInFlight: 10_000 },
      durationMs,
      warmupMs: 2000,
      proxies: ['http://bench:***@127.0.0.1:3128'],
    },
    environment: { node: 'v20.19.0', platform: 'linux', arch: 'x64', osRelease: '6.1.0', cpus: 2, cpuModel: 'Test CPU @ 2.0GHz', totalMemoryMiB: 7936 },
    startedAt,
    durationMs,
    warmupMs: 2000,
    partial: false,
    load: { model: 'open', offeredRps: totals.rps, achievedRps: totals.rps, maxInFlight: 12, scheduleKept: true },
    totals,
    byKind,
    byProtocol: {},
    series,
    harness: { workers: 2, rssPeakMiB: 88.5, cpuPercent: 61.2, cpuUsPerRequest: 68, eventLoopDelayP99Ms: 1.9, saturated: false },
    sut: options.withSut === false ? null : {
      source: 'spawned', pid: 4242, command: 'tinyproxy -d -c /etc/tinyproxy.conf', startupMs: 41.7,
      rssPeakMiB: Math.max(...samples.map((s) => s.rssMiB)), cpuPercentMean: 40.1,
      rssMiB: { start: samples[0]?.rssMiB ?? 0, peak: Math.max(...samples.map((s) => s.rssMiB)), mean: 48.7, end: samples.at(-1)?.rssMiB ?? 0 },
      rssSlopeMiBPerMin: 14.4, rssSlopeR2: 0.97, cpuPercent: { mean: 40.1, peak: 51.9 }, cpuMsPer1kRequests: 44.6,
      fdsPeak: 46, threadsPeak: 7, samples,
    },
    thresholds: [
      { expression: 'p99<10ms', metric: 'p99', op: '<', limit: 10, value: totals.latencyMs.p99, passed: totals.latencyMs.p99 < 10 },
      { expression: 'successRate>=0.999', metric: 'successRate', op: '>=', limit: 0.999, value: totals.successRate, passed: totals.successRate >= 0.999 },
    ],
    warnings: [{ code: 'sut_memory_growth', message: 'SUT RSS grew 14.4 MiB/min (R² 0.97) over the run: a leak?' }],
  };
}
