import { cpus, release, totalmem } from 'node:os';
import { overheadByKind } from '../../reports/proxy-overhead.js';
import { addCounters, buildStats, emptyCounters, emptyHistograms, HISTOGRAM_NAMES, type StatsCounters, type StatsHistograms } from '../../reports/stats.js';
import { SCHEMA_VERSION, type EnvironmentInfo, type LoadSummary, type Report, type ReportWarning, type SeriesPoint, type Stats, type SutResources, type HarnessResources } from '../../reports/schema.js';
import type { Protocol } from '../../core/scenario.js';
import type { AggregatedKind } from '../recorder/aggregator.js';
import type { WorkerHealth } from '../recorder/batch.js';
import type { HarnessUsage } from '../recorder/harness-monitor.js';
import { describeConfig, type RunConfig } from '../config/run-config.js';
import { toolVersion } from '../../core/tool-version.js';

/** The figures a finished phase of a run leaves for the report. */
export interface PhaseResult {
  readonly kinds: ReadonlyMap<string, AggregatedKind>;
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
  /** Extra config fields to record (e.g. redaction needs the command line rewritten). */
  readonly configExtras?: Readonly<Record<string, unknown>>;
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

function byKindStats(phase: PhaseResult): Record<string, Stats> {
  const byKind: Record<string, Stats> = {};
  for (const [name, kind] of phase.kinds) byKind[name] = buildStats(kind.counters, kind.histograms, phase.measuredMs);
  return byKind;
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

function loadSummary(config: RunConfig, totals: Stats, measuredMs: number): LoadSummary {
  const load = config.load;
  if (load.model === 'closed') return { model: 'closed', concurrency: load.concurrency, achievedRps: totals.rps };
  const offered = load.stages && load.stages.length > 0 ? (totals.requests + totals.dropped) / (measuredMs / 1000) : load.rate;
  const missed = totals.late + totals.dropped;
  return {
    model: 'open',
    offeredRps: Math.round(offered * 100) / 100,
    achievedRps: totals.rps,
    maxInFlight: load.maxInFlight,
    scheduleKept: missed <= Math.max(1, totals.requests * 0.01) && totals.rps >= offered * 0.95,
  };
}

/** Builds the report (schema in reports/schema.ts) from a run's aggregated figures. */
export function buildReport(inputs: ReportInputs): Report {
  const { config, proxied } = inputs;
  const kinds = [...proxied.kinds.values()];
  const totals = statsOf(kinds, proxied.measuredMs);
  const byProtocol: Partial<Record<Protocol, Stats>> = {};
  for (const protocol of new Set(config.scenario.mix.map((m) => m.protocol))) {
    const names = config.scenario.mix.filter((m) => m.protocol === protocol).map((m) => m.name);
    byProtocol[protocol] = statsOf(names.map((n) => proxied.kinds.get(n)!).filter(Boolean), proxied.measuredMs);
  }
  const byKind = byKindStats(proxied);
  let directBaseline: Report['directBaseline'];
  if (inputs.direct) {
    const directByKind = byKindStats(inputs.direct);
    directBaseline = { byKind: directByKind, overheadByKind: overheadByKind(byKind, directByKind) };
  }
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'proxybench', version: toolVersion() },
    scenario: config.scenario.name,
    config: { ...describeConfig(config), ...inputs.configExtras },
    environment: environmentInfo(),
    startedAt: new Date(inputs.startedAtWallMs).toISOString(),
    durationMs: Math.round(proxied.measuredMs),
    warmupMs: config.warmupMs,
    partial: inputs.partial,
    ...(config.shard ? { shards: [config.shard] } : {}),
    load: loadSummary(config, totals, proxied.measuredMs),
    totals,
    byKind,
    byProtocol,
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
