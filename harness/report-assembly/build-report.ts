import { createHash } from 'node:crypto';
import { cpus, release, totalmem } from 'node:os';
import { overheadByKind } from '../../reports/proxy-overhead.js';
import { addCounters, buildStats, emptyCounters, emptyHistograms, HISTOGRAM_NAMES, type StatsCounters, type StatsHistograms } from '../../reports/stats.js';
import { SCHEMA_VERSION, type EnvironmentInfo, type LoadSummary, type Report, type ReportWarning, type SeriesPoint, type Stats, type SutResources, type HarnessResources } from '../../reports/schema.js';
import type { Protocol } from '../../core/scenario.js';
import { verificationOf } from '../../core/target-mix.js';
import type { AggregatedKind } from '../recorder/aggregator.js';
import type { WorkerHealth } from '../recorder/batch.js';
import type { HarnessUsage } from '../recorder/harness-monitor.js';
import { reportConfig, type RunConfig } from '../config/run-config.js';
import { proxiesOf, type ProxySet } from '../../core/proxy-set.js';
import { formatProxyEndpoint } from '../../core/proxy-url.js';
import { toolVersion } from '../../core/tool-version.js';
import { shardShare } from '../config/shard-share.js';

/** The figures a finished phase of a run leaves for the report. */
export interface PhaseResult {
  readonly kinds: ReadonlyMap<string, AggregatedKind>;
  /** Per proxy, by its index in the driven proxies' list: the same requests, seen per proxy. Absent: not recorded. */
  readonly proxies?: readonly AggregatedKind[];
  readonly series: readonly SeriesPoint[];
  readonly measuredMs: number;
}

/** Everything {@link buildReport} needs. */
export interface ReportInputs {
  readonly config: RunConfig;
  readonly startedAtWallMs: number;
  readonly proxied: PhaseResult;
  readonly direct?: PhaseResult;
  readonly harness: HarnessResources;
  readonly sut: SutResources | null;
  readonly partial: boolean;
  readonly warnings: readonly ReportWarning[];
  /** The proxies the run went through (the embedded ones' addresses once started); default: the config's. */
  readonly drivenProxies?: ProxySet;
}

/** Adds several kinds into one counters/histograms pair (for totals and per protocol). */
function combine(kinds: readonly AggregatedKind[]): { counters: StatsCounters; histograms: StatsHistograms } {
  const counters = emptyCounters();
  const histograms = emptyHistograms();
  for (const kind of kinds) {
    addCounters(counters, kind.counters);
    for (const name of HISTOGRAM_NAMES) histograms[name].add(kind.histograms[name]);
  }
  return { counters, histograms };
}

function statsOf(kinds: readonly AggregatedKind[], measuredMs: number): Stats {
  const { counters, histograms } = combine(kinds);
  const stats = buildStats(counters, histograms, measuredMs);
  for (const name of HISTOGRAM_NAMES) histograms[name].destroy();
  return stats;
}

/** Per kind, its Stats and how its bodies were verified (a user's target: length or sha256). */
function byKindStats(phase: PhaseResult, config: RunConfig): Record<string, Stats> {
  const verification = new Map(config.scenario.mix.map((entry) => [entry.kind, verificationOf(entry.operation)]));
  const byKind: Record<string, Stats> = {};
  for (const [name, kind] of phase.kinds) {
    byKind[name] = { ...buildStats(kind.counters, kind.histograms, phase.measuredMs), verification: verification.get(name) ?? 'bytes' };
  }
  return byKind;
}

/**
 * One Stats block per driven proxy, keyed by its URL as the config shows it (password `***`), in
 * the config's order; undefined when the run drove no proxy or the phase kept no per-proxy figures.
 */
function byProxyStats(phase: PhaseResult, driven: ProxySet): Record<string, Stats> | undefined {
  const endpoints = proxiesOf(driven);
  const proxies = phase.proxies;
  if (endpoints.length === 0 || proxies === undefined || proxies.length !== endpoints.length) return undefined;
  const byProxy: Record<string, Stats> = {};
  endpoints.forEach((endpoint, i) => {
    const figures = proxies[i]!;
    byProxy[formatProxyEndpoint(endpoint)] = buildStats(figures.counters, figures.histograms, phase.measuredMs);
  });
  return byProxy;
}

/** The environment the run happened in. */
export function environmentInfo(): EnvironmentInfo {
  const cpuList = cpus();
  return {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    osRelease: release(),
    cpus: cpuList.length,
    cpuModel: cpuList[0]?.model ?? 'unknown',
    totalMemoryMiB: Math.round(totalmem() / 1024 / 1024),
  };
}

/**
 * The load as this process ran it. A shard reports its own share (rate, concurrency, in-flight
 * limit, `--requests`: see shardShare) and the whole run's figures beside it, so its offered rate
 * and schedule are judged against what it was asked to do, not against the whole run's.
 */
function loadSummary(config: RunConfig, totals: Stats, measuredMs: number): LoadSummary {
  const share = shardShare(config);
  const load = share.load;
  const whole = config.load;
  const shardCount = config.shard && config.shard.count > 1 ? config.shard.count : undefined;
  const requests = share.requests !== undefined ? { requests: share.requests } : {};
  const wholeRequests = config.requests !== undefined ? { requests: config.requests } : {};
  if (load.model === 'closed' || whole.model === 'closed') {
    const concurrency = load.model === 'closed' ? load.concurrency : 0;
    const shareOf = shardCount !== undefined && whole.model === 'closed' ? { shareOf: { shardCount, concurrency: whole.concurrency, ...wholeRequests } } : {};
    return { model: 'closed', concurrency, achievedRps: totals.rps, ...requests, ...shareOf };
  }
  const staged = load.stages !== undefined && load.stages.length > 0;
  const offered = staged ? (totals.requests + totals.dropped) / (measuredMs / 1000) : load.rate;
  const missed = totals.late + totals.dropped;
  const shareOf = shardCount !== undefined
    ? { shareOf: { shardCount, ...(staged ? {} : { offeredRps: roundRate(whole.rate) }), maxInFlight: whole.maxInFlight, ...wholeRequests } }
    : {};
  return {
    model: 'open',
    offeredRps: roundRate(offered),
    achievedRps: totals.rps,
    maxInFlight: load.maxInFlight,
    scheduleKept: missed <= Math.max(1, totals.requests * 0.01) && totals.rps >= offered * 0.95,
    ...requests,
    ...shareOf,
  };
}

function roundRate(rps: number): number {
  return Math.round(rps * 100) / 100;
}

/**
 * The run's identity (Report.runId): a hash of what every shard of one run is given alike, so a
 * merge can tell shards of one run from look-alikes. Without `--start-at` shards share nothing that
 * tells two runs of one config apart; an unsharded run then hashes its own start time instead.
 */
function runIdOf(config: RunConfig, startedAtWallMs: number): string {
  const sharded = config.shard !== undefined && config.shard.count > 1;
  const identity = {
    scenario: config.scenario.name,
    mix: config.scenario.mix,
    load: config.load,
    requests: config.requests ?? null,
    durationMs: config.durationMs,
    warmupMs: config.warmupMs,
    seed: config.seed,
    connectionPolicy: config.connectionPolicy,
    hold: config.hold ?? null,
    shardCount: config.shard?.count ?? 1,
    startAtMs: config.startAtMs ?? (sharded ? null : startedAtWallMs),
  };
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, 16);
}

/** Builds the report (schema in reports/schema.ts) from a run's aggregated figures. */
export function buildReport(inputs: ReportInputs): Report {
  const { config, proxied } = inputs;
  const kinds = [...proxied.kinds.values()];
  const totals = statsOf(kinds, proxied.measuredMs);
  const byProtocol: Partial<Record<Protocol, Stats>> = {};
  for (const protocol of new Set(config.scenario.mix.map((m) => m.protocol))) {
    const names = config.scenario.mix.filter((m) => m.protocol === protocol).map((m) => m.kind);
    byProtocol[protocol] = statsOf(names.map((n) => proxied.kinds.get(n)!).filter(Boolean), proxied.measuredMs);
  }
  const byKind = byKindStats(proxied, config);
  const byProxy = byProxyStats(proxied, inputs.drivenProxies ?? config.proxies);
  let directBaseline: Report['directBaseline'];
  if (inputs.direct) {
    const directByKind = byKindStats(inputs.direct, config);
    directBaseline = { byKind: directByKind, overheadByKind: overheadByKind(byKind, directByKind) };
  }
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'proxybench', version: toolVersion() },
    scenario: config.scenario.name,
    config: reportConfig(config, inputs.drivenProxies),
    environment: environmentInfo(),
    startedAt: new Date(inputs.startedAtWallMs).toISOString(),
    durationMs: Math.round(proxied.measuredMs),
    warmupMs: config.warmupMs,
    partial: inputs.partial,
    ...(config.shard ? { shards: [config.shard] } : {}),
    runId: runIdOf(config, inputs.startedAtWallMs),
    load: loadSummary(config, totals, proxied.measuredMs),
    totals,
    byKind,
    byProtocol,
    ...(byProxy ? { byProxy } : {}),
    series: proxied.series,
    harness: inputs.harness,
    sut: inputs.sut,
    ...(directBaseline ? { directBaseline } : {}),
    thresholds: [],
    warnings: inputs.warnings,
  };
}

/** What one phase (proxied, or the direct baseline) leaves behind. */
export interface PhaseOutcome extends PhaseResult {
  readonly health: readonly WorkerHealth[];
  readonly usage?: HarnessUsage;
  readonly startAtWallMs: number;
  readonly interrupted: boolean;
}
