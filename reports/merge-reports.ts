import { ReportError } from '../core/errors.js';
import { mergeDirectBaseline, mergeHarness, mergeHeld, mergeLoad, mergeSut } from './merge-resources.js';
import { mergeSeries, mergeStats, mergeStatsRecords } from './merge-stats.js';
import type { Report, ReportWarning, Stats } from './schema.js';
import { evaluateThresholds } from './thresholds/evaluate-thresholds.js';
import { parseThreshold } from './thresholds/parse-threshold.js';

/**
 * Config keys (harness/run/run-config.ts) that legitimately differ between the shards of one run —
 * which shard it is, when it was told to start — and are ignored when checking they belong together.
 */
export const SHARD_SPECIFIC_CONFIG_KEYS: readonly string[] = ['shard', 'startAtMs'];

/**
 * Merges the reports of the shards of one run (`proxybench run --shard i/N`) into one report:
 * histograms added exactly, counters summed, series aligned on their wall-clock seconds, rates over
 * the span from the earliest start to the latest end. Thresholds are evaluated again on the merged
 * figures (a shard's verdict says nothing of the whole); shard warnings are kept, labelled.
 *
 * @throws ReportError for no reports, reports of different scenarios, configs, proxybench versions
 *   or schema versions, or the same shard given twice
 */
export function mergeReports(reports: readonly Report[]): Report {
  const first = reports[0];
  if (!first) throw new ReportError('nothing to merge: give at least one report');
  assertMergeable(reports);
  const startMs = Math.min(...reports.map((r) => Date.parse(r.startedAt)));
  const endMs = Math.max(...reports.map((r) => Date.parse(r.startedAt) + r.durationMs));
  const measuredMs = endMs - startMs;
  const totals = mergeStats(reports.map((r) => r.totals), measuredMs);
  const byKind = mergeStatsRecords(reports.map((r) => r.byKind), measuredMs) as Record<string, Stats>;
  const shards = mergeShards(reports);
  const directBaseline = mergeDirectBaseline(reports, byKind);
  const held = mergeHeld(reports);
  const merged: Report = {
    schemaVersion: first.schemaVersion,
    tool: first.tool,
    scenario: first.scenario,
    config: first.config,
    environment: first.environment,
    startedAt: new Date(startMs).toISOString(),
    durationMs: measuredMs,
    warmupMs: Math.max(...reports.map((r) => r.warmupMs)),
    partial: reports.some((r) => r.partial),
    ...(shards.length > 0 ? { shards } : {}),
    load: mergeLoad(reports.map((r) => r.load), totals.rps),
    totals,
    byKind,
    byProtocol: mergeStatsRecords(reports.map((r) => r.byProtocol), measuredMs),
    series: mergeSeries(reports.map((r) => r.series)),
    harness: mergeHarness(reports),
    sut: mergeSut(reports),
    ...(directBaseline ? { directBaseline } : {}),
    ...(held ? { held } : {}),
    thresholds: [],
    warnings: mergeWarnings(reports, shards),
  };
  const expressions = [...new Set(reports.flatMap((r) => r.thresholds.map((t) => t.expression)))];
  const thresholds = evaluateThresholds(merged, expressions.map((e) => parseThreshold(e, 'thresholds')));
  return { ...merged, thresholds };
}

function label(report: Report, index: number): string {
  const shard = report.shards?.[0];
  return shard ? `report ${index + 1} (shard ${shard.index + 1}/${shard.count})` : `report ${index + 1}`;
}

function assertMergeable(reports: readonly Report[]): void {
  const [first, ...rest] = reports;
  if (!first) return;
  const firstConfig = comparableConfig(first.config);
  rest.forEach((report, i) => {
    const which = label(report, i + 1);
    if (report.scenario !== first.scenario) {
      throw new ReportError(`cannot merge different scenarios: report 1 is '${first.scenario}', ${which} is '${report.scenario}'`);
    }
    if (report.schemaVersion !== first.schemaVersion) {
      throw new ReportError(`cannot merge schema versions ${first.schemaVersion} and ${report.schemaVersion} (${which})`);
    }
    if (report.tool.version !== first.tool.version) {
      throw new ReportError(`cannot merge reports of different proxybench versions: ${first.tool.version} and ${report.tool.version} (${which})`);
    }
    const config = comparableConfig(report.config);
    for (const key of new Set([...Object.keys(firstConfig), ...Object.keys(config)])) {
      if (firstConfig[key] !== config[key]) {
        throw new ReportError(`cannot merge reports of different runs: config.${key} is ${firstConfig[key] ?? 'absent'} in report 1 and ${config[key] ?? 'absent'} in ${which}`);
      }
    }
  });
}

/** Config keys (shard-specific ones left out) → canonical JSON of their values, key order ignored. */
function comparableConfig(config: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    if (!SHARD_SPECIFIC_CONFIG_KEYS.includes(key)) out[key] = JSON.stringify(canonical(value));
  }
  return out;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  return value;
}

function mergeShards(reports: readonly Report[]): { index: number; count: number }[] {
  const shards = reports.flatMap((r) => r.shards ?? []);
  const seen = new Set<number>();
  for (const shard of shards) {
    if (shard.count !== shards[0]?.count) throw new ReportError(`cannot merge shards of runs split differently (${shards[0]?.count} and ${shard.count} shards)`);
    // The same shard twice would count its requests twice: refuse rather than inflate.
    if (seen.has(shard.index)) throw new ReportError(`shard ${shard.index + 1}/${shard.count} is given twice`);
    seen.add(shard.index);
  }
  return shards.map((s) => ({ index: s.index, count: s.count })).sort((a, b) => a.index - b.index);
}

function mergeWarnings(reports: readonly Report[], shards: readonly { index: number; count: number }[]): ReportWarning[] {
  const warnings = new Map<string, ReportWarning>();
  reports.forEach((report, i) => {
    for (const w of report.warnings) {
      const message = reports.length > 1 ? `${label(report, i)}: ${w.message}` : w.message;
      warnings.set(`${w.code} ${message}`, { code: w.code, message });
    }
  });
  const count = shards[0]?.count;
  if (count !== undefined && shards.length < count) {
    const message = `merged ${shards.length} of ${count} shards: the figures cover part of the load only`;
    warnings.set(message, { code: 'partial', message });
  }
  return [...warnings.values()];
}
