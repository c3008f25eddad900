import type { ErrorCause } from '../../core/error-cause.js';
import { seededUniform } from '../../core/seeded-random.js';
import { addEncoded, createHistogram, encodeHistogram, summarize, type Histogram } from '../../reports/histogram-codec.js';
import type { Report, ReportConfig, SeriesPoint, SeriesStats, Stats, SutResources } from '../../reports/schema.js';
import { addCounters, buildStats, emptyCounters, emptyHistograms, type StatsCounters, type StatsHistograms } from '../../reports/stats.js';
import { evaluateThresholds } from '../../reports/thresholds/evaluate-thresholds.js';
import { parseThreshold } from '../../reports/thresholds/parse-threshold.js';
import type { Protocol } from '../../core/scenario.js';

/**
 * Builds Report objects from given latency samples, per-second request counts and failures, with
 * real HdrHistograms (reports/histogram-codec.ts) and Stats blocks built by reports/stats.ts, so
 * compare and merge are tested on the same shapes a run writes.
 */

/** One request kind of a synthetic run. */
export interface SyntheticKind {
  /** Latencies (ms) of successful requests, recorded in order second by second; cycled when short. */
  readonly latenciesMs: readonly number[];
  /** Requests completed in each second (successes and failures). */
  readonly requestsPerSecond: readonly number[];
  /** Failures in each second (default none), all of `failureCause`. */
  readonly failuresPerSecond?: readonly number[];
  readonly failureCause?: ErrorCause;
  /** Response body bytes of each successful request (default 1024). */
  readonly bytesPerResponse?: number;
  readonly protocol?: Protocol;
  /** Time to first byte as a fraction of the latency (default: no ttfb recorded). */
  readonly ttfbFraction?: number;
  /**
   * The origin's stated service time (ms) of each success, cycled in step with `latenciesMs`:
   * recorded as latency minus origin time. Default: no response carried it.
   */
  readonly originMs?: readonly number[];
  /** An echo kind (tcp-echo, websocket, udp-echo): its messages. Default: none (an HTTP kind). */
  readonly messages?: SyntheticMessages;
}

/** The messages of an echo kind: every request sends `perRequest`; echoes come back but the lost ones. */
export interface SyntheticMessages {
  readonly perRequest: number;
  /** RTT (ms) of each verified echo, cycled. */
  readonly rttMs: readonly number[];
  /** Messages lost in each second (default none). */
  readonly lostPerSecond?: readonly number[];
  readonly reordered?: number;
  readonly duplicates?: number;
}

/** What the report is made of. */
export interface SyntheticReportOptions {
  readonly kinds: Readonly<Record<string, SyntheticKind>>;
  readonly scenario?: string;
  /** Unix seconds of the first second (default 1 700 000 000). */
  readonly startSec?: number;
  readonly sut?: { readonly rssPeakMiB: number; readonly cpuPercentSamples: readonly number[]; readonly pid?: number; readonly cpuMsPer1kRequests?: number } | null;
  readonly config?: Readonly<Record<string, unknown>>;
  readonly shard?: { readonly index: number; readonly count: number };
  readonly thresholds?: readonly string[];
  readonly version?: string;
}

interface KindBuild {
  counters: StatsCounters;
  histograms: StatsHistograms;
  seconds: SeriesStats[];
  protocol: Protocol;
}

function recordSecond(kind: SyntheticKind, second: number, next: () => number, into: KindBuild, histogram: Histogram): void {
  const origin = kind.originMs;
  const requests = kind.requestsPerSecond[second] ?? 0;
  const failures = kind.failuresPerSecond?.[second] ?? 0;
  const successes = requests - failures;
  const bytesIn = successes * (kind.bytesPerResponse ?? 1024);
  const cause = kind.failureCause ?? 'timeout';
  const errors = failures > 0 ? { [cause]: failures } : {};
  histogram.reset();
  for (let i = 0; i < successes; i++) {
    const sample = next();
    const us = Math.max(1, Math.round((kind.latenciesMs[sample % kind.latenciesMs.length] ?? 1) * 1000));
    histogram.recordValue(us);
    if (origin !== undefined && origin.length > 0) {
      into.histograms.latencyMinusOrigin.recordValue(Math.max(1, us - Math.round((origin[sample % origin.length] ?? 0) * 1000)));
    }
    into.histograms.latency.recordValue(us);
    into.histograms.serviceTime.recordValue(us);
    if (kind.ttfbFraction !== undefined) into.histograms.ttfb.recordValue(Math.max(1, Math.round(us * kind.ttfbFraction)));
  }
  addCounters(into.counters, { ...emptyCounters(), requests, successes, failures, bytesIn, errors, connectionsOpened: 1, connectionsReused: Math.max(0, requests - 1) });
  if (kind.messages) recordMessages(kind.messages, second, requests, into);
  const summary = summarize(histogram);
  into.seconds.push({ requests, successes, failures, errors, rps: requests, bytesIn, p50: summary.p50, p99: summary.p99, inFlight: 0, histogram: encodeHistogram(histogram) });
}

/** One second's messages: sent, echoed (an RTT each), lost; reordered and duplicates once, in the first second. */
function recordMessages(messages: SyntheticMessages, second: number, requests: number, into: KindBuild): void {
  const sent = requests * messages.perRequest;
  const lost = messages.lostPerSecond?.[second] ?? 0;
  const received = sent - lost;
  for (let i = 0; i < received; i++) {
    const rttMs = messages.rttMs[(into.counters.messagesReceived + i) % messages.rttMs.length] ?? 1;
    into.histograms.rtt.recordValue(Math.max(1, Math.round(rttMs * 1000)));
  }
  const firstSecond = second === 0;
  addCounters(into.counters, {
    ...emptyCounters(), messagesSent: sent, messagesReceived: received, messagesLost: lost,
    messagesReordered: firstSecond ? (messages.reordered ?? 0) : 0, messagesDuplicated: firstSecond ? (messages.duplicates ?? 0) : 0,
  });
}

function buildKind(kind: SyntheticKind): KindBuild {
  const build: KindBuild = { counters: emptyCounters(), histograms: emptyHistograms(), seconds: [], protocol: kind.protocol ?? 'http-forward' };
  let index = 0;
  // The index of the next sample, into latenciesMs and originMs alike.
  const next = (): number => index++;
  // One scratch histogram for every second: allocating HdrHistograms is what makes building slow.
  const scratch = createHistogram();
  for (let s = 0; s < kind.requestsPerSecond.length; s++) recordSecond(kind, s, next, build, scratch);
  scratch.destroy();
  return build;
}

function combine(builds: readonly KindBuild[], measuredMs: number): Stats {
  const counters = emptyCounters();
  const histograms = emptyHistograms();
  for (const b of builds) {
    addCounters(counters, b.counters);
    for (const name of Object.keys(histograms) as (keyof StatsHistograms)[]) histograms[name].add(b.histograms[name]);
  }
  return buildStats(counters, histograms, measuredMs);
}

function sumSeconds(seconds: readonly SeriesStats[]): SeriesStats {
  // A second of one kind is its own total (and re-encoding it would only cost time).
  if (seconds.length === 1 && seconds[0]) return seconds[0];
  const histogram = createHistogram();
  const errors: Record<string, number> = {};
  let requests = 0, successes = 0, failures = 0, bytesIn = 0;
  for (const s of seconds) {
    requests += s.requests;
    successes += s.successes;
    failures += s.failures;
    bytesIn += s.bytesIn;
    for (const [cause, n] of Object.entries(s.errors)) errors[cause] = (errors[cause] ?? 0) + n;
    addEncoded(histogram, s.histogram);
  }
  const summary = summarize(histogram);
  const encoded = encodeHistogram(histogram);
  histogram.destroy();
  return { requests, successes, failures, errors, rps: requests, bytesIn, p50: summary.p50, p99: summary.p99, inFlight: 0, histogram: encoded };
}

function sutOf(options: SyntheticReportOptions, startSec: number): SutResources | null {
  const sut = options.sut;
  if (!sut) return null;
  const samples = sut.cpuPercentSamples.map((cpuPercent, i) => ({ t: startSec + i * 0.25, rssMiB: sut.rssPeakMiB, cpuPercent, fds: 10, threads: 4 }));
  const mean = samples.reduce((n, s) => n + s.cpuPercent, 0) / Math.max(1, samples.length);
  return {
    source: 'embedded', pid: sut.pid ?? 4242, rssPeakMiB: sut.rssPeakMiB, cpuPercentMean: mean,
    rssMiB: { start: sut.rssPeakMiB, peak: sut.rssPeakMiB, mean: sut.rssPeakMiB, end: sut.rssPeakMiB },
    rssSlopeMiBPerMin: 0, rssSlopeR2: 0, cpuPercent: { mean, peak: Math.max(0, ...sut.cpuPercentSamples) },
    cpuMsPer1kRequests: sut.cpuMsPer1kRequests ?? 10, fdsPeak: 10, threadsPeak: 4, samples,
  };
}

/** A complete Report built from the given kinds (every kind runs from the same first second). */
export function syntheticReport(options: SyntheticReportOptions): Report {
  const startSec = options.startSec ?? 1_700_000_000;
  const builds = Object.fromEntries(Object.entries(options.kinds).map(([name, kind]) => [name, buildKind(kind)]));
  const seconds = Math.max(0, ...Object.values(options.kinds).map((k) => k.requestsPerSecond.length));
  const measuredMs = seconds * 1000;
  const byKind = Object.fromEntries(Object.entries(builds).map(([name, b]) => [name, buildStats(b.counters, b.histograms, measuredMs)]));
  const protocols = [...new Set(Object.values(builds).map((b) => b.protocol))];
  const byProtocol = Object.fromEntries(protocols.map((p) => [p, combine(Object.values(builds).filter((b) => b.protocol === p), measuredMs)]));
  const totals = combine(Object.values(builds), measuredMs);
  const series: SeriesPoint[] = [];
  for (let s = 0; s < seconds; s++) {
    const kindSeconds: Record<string, SeriesStats> = {};
    for (const [name, b] of Object.entries(builds)) {
      const second = b.seconds[s];
      if (second) kindSeconds[name] = second;
    }
    series.push({ t: startSec + s, totals: sumSeconds(Object.values(kindSeconds)), byKind: kindSeconds });
  }
  for (const b of Object.values(builds)) for (const h of Object.values(b.histograms)) h.destroy();
  const report: Report = {
    schemaVersion: 1,
    tool: { name: 'proxybench', version: options.version ?? '0.1.0' },
    scenario: options.scenario ?? 'synthetic',
    config: { ...SYNTHETIC_CONFIG, ...(options.shard ? { shard: options.shard } : {}), ...options.config } as ReportConfig,
    environment: { node: 'v20.0.0', platform: 'linux', arch: 'x64', osRelease: '6.0', cpus: 2, cpuModel: 'test', totalMemoryMiB: 4096 },
    startedAt: new Date(startSec * 1000).toISOString(),
    durationMs: measuredMs,
    warmupMs: 0,
    partial: false,
    ...(options.shard ? { shards: [options.shard] } : {}),
    load: { model: 'closed', concurrency: 10, achievedRps: totals.rps },
    totals,
    byKind,
    byProtocol,
    series,
    harness: { workers: 1, rssPeakMiB: 60, cpuPercent: 50, cpuUsPerRequest: 20, eventLoopDelayP99Ms: 2, saturated: false },
    sut: sutOf(options, startSec),
    thresholds: [],
    warnings: [],
  };
  const thresholds = (options.thresholds ?? []).map((t) => parseThreshold(t));
  return { ...report, thresholds: evaluateThresholds(report, thresholds) };
}

/** Deterministic pseudo-random numbers in [0, 1), so every test run sees the same data. */
export const seededRandom = seededUniform;

/** `count` log-normal latencies (ms) around `medianMs`; `spread` is the sigma of the log. */
export function latencySamples(count: number, medianMs: number, seed: number, spread = 0.3): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    // Box–Muller: a standard normal from two uniforms.
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return medianMs * Math.exp(spread * z);
  });
}

/** `seconds` per-second request counts around `mean`, each off by up to ±`noise` (a fraction). */
export function noisyCounts(seconds: number, mean: number, noise: number, seed: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: seconds }, () => Math.round(mean * (1 + noise * (2 * random() - 1))));
}

/** A complete, plausible config for synthetic reports; tests override the fields they are about. */
export const SYNTHETIC_CONFIG: ReportConfig = {
  scenario: 'synthetic',
  mix: [{ kind: 'get-1k', weight: 1, protocol: 'http-forward', origin: 'http', operation: { op: 'download', bytes: 1024 } }],
  proxies: ['http://127.0.0.1:3128'],
  embeddedProxies: false,
  durationMs: 10_000,
  warmupMs: 0,
  load: { model: 'closed', concurrency: 10 },
  workers: 1,
  timeouts: { connectMs: 3000, handshakeMs: 3000, ttfbMs: 10_000, idleMs: 10_000, totalMs: 10_000 },
  backoff: { initialMs: 10, factor: 2, maxMs: 1000, jitter: 0.5 },
  connectionPolicy: 'keep-alive',
  seed: 1,
  sutSampleIntervalMs: 250,
  directBaseline: false,
  thresholds: [],
};

