import { ReportError } from '../core/errors.js';
import { assertMergeable, type MergeInput, type MergeMode } from './merge-checks.js';
import { mergeDirectBaseline, mergeHarness, mergeHeld, mergeSequentialLoads, mergeSequentialSut, mergeShardLoads, mergeSut } from './merge-resources.js';
import { mergeSeries, mergeStats, mergeStatsRecords } from './merge-stats.js';
import type { MergeInfo, Report, ReportWarning, Stats } from './schema.js';
import { evaluateThresholds } from './thresholds/evaluate-thresholds.js';
import { parseThreshold } from './thresholds/parse-threshold.js';

export { SHARD_SPECIFIC_CONFIG_KEYS, type MergeMode } from './merge-checks.js';

/** Options of {@link mergeReports}. */
export interface MergeOptions {
  /** `shards` (default): the shards of one run; `sequential`: whole runs back to back. */
  readonly mode?: MergeMode;
  /** How errors and warnings name each report (its file), in order; default `report 1`, `report 2`… */
  readonly names?: readonly string[];
}

/**
 * Merges reports into one (docs/measurement.md §12): histograms added exactly, counters summed,
 * series aligned on their wall-clock seconds. In `shards` mode (the shards of one run, side by
 * side) rates are over the span from the earliest start to the latest end and the load is the
 * whole run's; in `sequential` mode (whole runs back to back) durations add and rates are over
 * their sum. Thresholds are evaluated again on the merged figures (a shard's verdict says nothing
 * of the whole); warnings are kept, labelled.
 *
 * @throws ReportError when the reports do not belong together in that mode (see merge-checks.ts):
 *   nothing to merge, different scenarios, configs, versions or runs, the same report or shard
 *   twice, unsharded reports given as shards, runs that overlap given as back to back
 */
export function mergeReports(reports: readonly Report[], options: MergeOptions = {}): Report {
  const mode = options.mode ?? 'shards';
  const inputs: MergeInput[] = reports.map((report, i) => ({ report, name: options.names?.[i] ?? `report ${i + 1}` }));
  const first = reports[0];
  if (!first) throw new ReportError('nothing to merge: give at least one report');
  assertMergeable(inputs, mode);
  const sequential = mode === 'sequential';
  const startMs = Math.min(...reports.map((r) => Date.parse(r.startedAt)));
  const endMs = Math.max(...reports.map((r) => Date.parse(r.startedAt) + r.durationMs));
  const measuredMs = sequential ? reports.reduce((n, r) => n + r.durationMs, 0) : endMs - startMs;
  const totals = mergeStats(reports.map((r) => r.totals), measuredMs);
  const byKind = mergeStatsRecords(reports.map((r) => r.byKind), measuredMs) as Record<string, Stats>;
  const shards = sequential ? [] : mergeShards(reports);
  const allShards = shards.length > 0 && shards.length === shards[0]!.count;
  const directBaseline = mergeDirectBaseline(reports, byKind, sequential);
  const held = sequential ? undefined : mergeHeld(reports);
  const runId = sequential ? undefined : first.runId;
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
    ...(runId !== undefined ? { runId } : {}),
    merged: mergeInfo(reports, mode),
    load: sequential ? mergeSequentialLoads(reports, totals.rps) : mergeShardLoads(reports.map((r) => r.load), totals.rps, allShards),
    totals,
    byKind,
    byProtocol: mergeStatsRecords(reports.map((r) => r.byProtocol), measuredMs),
    ...mergeByProxy(reports, measuredMs),
    series: mergeSeries(reports.map((r) => r.series)),
    harness: mergeHarness(reports, sequential),
    sut: sequential ? mergeSequentialSut(reports) : mergeSut(reports),
    ...(directBaseline ? { directBaseline } : {}),
    ...(held ? { held } : {}),
    thresholds: [],
    warnings: mergeWarnings(inputs, shards),
  };
  const expressions = [...new Set(reports.flatMap((r) => r.thresholds.map((t) => t.expression)))];
  const thresholds = evaluateThresholds(merged, expressions.map((e) => parseThreshold(e, 'thresholds')));
  return { ...merged, thresholds };
}

/**
 * Merges byProxy entry by entry, matching each report's entries by their position in its
 * `config.proxies` (the embedded proxies listen on another port in every run, so their URLs differ
 * between the shards of one run), named as the first report names them. Absent unless every report
 * has it: the merged entries must add up to the merged totals.
 */
function mergeByProxy(reports: readonly Report[], measuredMs: number): Pick<Report, 'byProxy'> {
  if (!reports.every((r) => r.byProxy !== undefined)) return {};
  const names = reports[0]!.config.proxies;
  const positioned = reports.map((r) => {
    const byPosition: Record<string, Stats> = {};
    for (const [url, stats] of Object.entries(r.byProxy!)) {
      const position = r.config.proxies.indexOf(url);
      byPosition[position >= 0 && names[position] !== undefined ? names[position] : url] = stats;
    }
    return byPosition;
  });
  return { byProxy: mergeStatsRecords(positioned, measuredMs) as Record<string, Stats> };
}

function mergeInfo(reports: readonly Report[], mode: MergeMode): MergeInfo {
  if (mode === 'shards') return { mode, reports: reports.length };
  const runs = [...reports]
    .sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt))
    .map((r) => ({ startedAt: r.startedAt, durationMs: r.durationMs, requests: r.totals.requests, ...(r.runId !== undefined ? { runId: r.runId } : {}) }));
  return { mode, reports: reports.length, runs };
}

/** Every shard merged, sorted (merge-checks.ts has made sure none is given twice). */
function mergeShards(reports: readonly Report[]): { index: number; count: number }[] {
  return reports
    .flatMap((r) => r.shards ?? [])
    .map((s) => ({ index: s.index, count: s.count }))
    .sort((a, b) => a.index - b.index);
}

function mergeWarnings(inputs: readonly MergeInput[], shards: readonly { index: number; count: number }[]): ReportWarning[] {
  const warnings = new Map<string, ReportWarning>();
  for (const { report, name } of inputs) {
    const shard = report.shards?.length === 1 ? ` (shard ${report.shards[0]!.index + 1}/${report.shards[0]!.count})` : '';
    for (const w of report.warnings) {
      const message = inputs.length > 1 ? `${name}${shard}: ${w.message}` : w.message;
      warnings.set(`${w.code} ${message}`, { code: w.code, message });
    }
  }
  const count = shards[0]?.count;
  if (count !== undefined && shards.length < count) {
    const message = `merged ${shards.length} of ${count} shards: the figures cover part of the load only`;
    warnings.set(message, { code: 'partial', message });
  }
  return [...warnings.values()];
}
