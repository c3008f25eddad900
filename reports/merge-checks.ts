import { ReportError } from '../core/errors.js';
import type { Report } from './schema.js';

/**
 * Whether reports may be merged, and in which sense (docs/measurement.md §12). A merge that adds
 * reports which do not belong together inflates every count without a trace, so each refusal says
 * in one line which file is the problem and how to merge it instead.
 */

/**
 * How reports are merged: `shards` — the shards of one run, side by side (the default);
 * `sequential` — whole runs back to back (`merge --sequential`).
 */
export type MergeMode = 'shards' | 'sequential';

/**
 * Config keys (harness/config/run-config.ts) that legitimately differ between the shards of one
 * run — which shard it is, when it was told to start — and are ignored when checking they belong together.
 */
export const SHARD_SPECIFIC_CONFIG_KEYS: readonly string[] = ['shard', 'startAtMs'];

/** Config keys whole runs added back to back may differ in besides those: how long, or how many requests, each ran. */
const SEQUENTIAL_FREE_CONFIG_KEYS: readonly string[] = [...SHARD_SPECIFIC_CONFIG_KEYS, 'durationMs', 'requests'];

/** A report and how errors name it (its file, or `report N`). */
export interface MergeInput {
  readonly report: Report;
  readonly name: string;
}

/**
 * Throws a ReportError (exit 2) naming the first reason the reports cannot be merged in `mode`.
 * Always: different scenarios or versions, the same report twice. Shards: a report that is not a
 * shard, shard counts that disagree, a shard twice, configs that differ (shard and `--start-at`
 * aside), different run ids. Sequential: configs that differ
 * (duration and `--requests` aside), a lone shard of a run, hold runs, runs measured at once.
 */
export function assertMergeable(inputs: readonly MergeInput[], mode: MergeMode): void {
  assertSameKind(inputs);
  assertDistinct(inputs);
  if (mode === 'shards') {
    assertShardLayout(inputs);
    assertSameConfig(inputs, SHARD_SPECIFIC_CONFIG_KEYS);
    assertOneRun(inputs);
  } else {
    assertSameConfig(inputs, SEQUENTIAL_FREE_CONFIG_KEYS);
    assertWholeRuns(inputs);
  }
}

function label(input: MergeInput): string {
  const shards = input.report.shards;
  return shards?.length === 1 ? `${input.name} (shard ${shards[0]!.index + 1}/${shards[0]!.count})` : input.name;
}

/** Same scenario, schema and proxybench version. */
function assertSameKind(inputs: readonly MergeInput[]): void {
  const [first, ...rest] = inputs;
  if (!first) return;
  for (const input of rest) {
    const { report } = input;
    const which = label(input);
    if (report.scenario !== first.report.scenario) {
      throw new ReportError(`cannot merge different scenarios: ${first.name} is '${first.report.scenario}', ${which} is '${report.scenario}'`);
    }
    if (report.schemaVersion !== first.report.schemaVersion) {
      throw new ReportError(`cannot merge schema versions ${first.report.schemaVersion} and ${report.schemaVersion} (${which})`);
    }
    if (report.tool.version !== first.report.tool.version) {
      throw new ReportError(`cannot merge reports of different proxybench versions: ${first.report.tool.version} and ${report.tool.version} (${which})`);
    }
  }
}

/** The same config, `freeKeys` aside. */
function assertSameConfig(inputs: readonly MergeInput[], freeKeys: readonly string[]): void {
  const [first, ...rest] = inputs;
  if (!first) return;
  const firstConfig = comparableConfig(first.report.config, freeKeys);
  for (const input of rest) {
    const which = label(input);
    const config = comparableConfig(input.report.config, freeKeys);
    for (const key of new Set([...Object.keys(firstConfig), ...Object.keys(config)])) {
      if (firstConfig[key] !== config[key]) {
        throw new ReportError(`cannot merge reports of different runs: config.${key} is ${firstConfig[key] ?? 'absent'} in ${first.name} and ${config[key] ?? 'absent'} in ${which}`);
      }
    }
  }
}

/** The same report twice (the same file, or a copy) would count every request twice. */
function assertDistinct(inputs: readonly MergeInput[]): void {
  const seen = new Map<string, MergeInput>();
  for (const input of inputs) {
    const fingerprint = JSON.stringify(canonical(input.report));
    const earlier = seen.get(fingerprint);
    if (earlier) {
      const names = earlier.name === input.name ? `${input.name} is given twice` : `${earlier.name} and ${input.name} are the same report`;
      throw new ReportError(`cannot merge a report with itself: ${names}, and its requests would count twice`);
    }
    seen.set(fingerprint, input);
  }
}

const SEQUENTIAL_HINT = 'to add whole runs back to back use merge --sequential';

/** Every report is a shard (or a merge of shards), all split into the same count, each shard once. */
function assertShardLayout(inputs: readonly MergeInput[]): void {
  const unsharded = inputs.find((i) => !i.report.shards || i.report.shards.length === 0);
  if (unsharded) {
    throw new ReportError(`cannot merge ${unsharded.name}: it is not a shard (run without --shard i/N), and merge adds the shards of one run; ${SEQUENTIAL_HINT}`);
  }
  const seen = new Map<number, MergeInput>();
  const first = inputs[0]!;
  const count = first.report.shards![0]!.count;
  for (const input of inputs) {
    for (const shard of input.report.shards!) {
      if (shard.count !== count) {
        throw new ReportError(`cannot merge shards of runs split differently: ${first.name} is one of ${count} shards, ${input.name} one of ${shard.count}`);
      }
      const earlier = seen.get(shard.index);
      if (earlier) throw new ReportError(`shard ${shard.index + 1}/${count} is given twice (${earlier.name} and ${input.name}): its requests would count twice`);
      seen.set(shard.index, input);
    }
  }
}

/**
 * One run identity. Measured windows are not compared: shards started by hand without
 * `--start-at` may start seconds apart, and a short (count-bounded) shard may end before another
 * begins, so an overlap rule would refuse true shards; the runId is what tells runs apart.
 */
function assertOneRun(inputs: readonly MergeInput[]): void {
  const first = inputs[0]!;
  const other = inputs.find((i) => i.report.runId !== undefined && first.report.runId !== undefined && i.report.runId !== first.report.runId);
  if (other) {
    throw new ReportError(`cannot merge shards of different runs: ${first.name} has runId ${first.report.runId}, ${label(other)} has ${other.report.runId}; the shards of one run are given the same scenario, load, duration, seed, shard count and --start-at`);
  }
}

/** Whole runs back to back: no single shard of a run, no hold runs, and no two measured at once. */
function assertWholeRuns(inputs: readonly MergeInput[]): void {
  for (const input of inputs) {
    const shards = input.report.shards;
    if (shards && shards.length > 0 && shards.length < shards[0]!.count) {
      throw new ReportError(`cannot add ${label(input)} as a whole run: it holds ${shards.length} of ${shards[0]!.count} shards; merge its shards first (merge without --sequential)`);
    }
    if (input.report.held) {
      throw new ReportError(`cannot add hold runs back to back (${input.name}): connections held in different runs were never held at once`);
    }
  }
  const windows = inputs.map(measuredWindow).sort((a, b) => a.startMs - b.startMs);
  for (let i = 1; i < windows.length; i++) {
    const before = windows[i - 1]!;
    const after = windows[i]!;
    if (after.startMs < before.endMs) {
      throw new ReportError(`cannot add ${before.name} and ${after.name} back to back: they were measured at the same time, so their durations do not add`);
    }
  }
}

function measuredWindow(input: MergeInput): { name: string; startMs: number; endMs: number } {
  const startMs = Date.parse(input.report.startedAt);
  return { name: input.name, startMs, endMs: startMs + input.report.durationMs };
}

/** Config keys (`freeKeys` left out) → canonical JSON of their values, key order ignored. */
function comparableConfig(config: Readonly<Record<string, unknown>>, freeKeys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    if (!freeKeys.includes(key)) out[key] = JSON.stringify(canonical(key === 'proxies' ? withoutEmbeddedAddresses(value, config['embeddedProxies']) : value));
  }
  return out;
}

/**
 * Each run starts its own embedded reference proxy on a port of its own, so the address of an
 * embedded proxy says nothing about which run a report belongs to (its scheme still does); a
 * given proxy's address does.
 */
function withoutEmbeddedAddresses(proxies: unknown, embedded: unknown): unknown {
  if (embedded !== true || !Array.isArray(proxies)) return proxies;
  return proxies.map((url: unknown) => (typeof url === 'string' ? url.slice(0, url.indexOf(':')) : url));
}

/** The value with object keys sorted, so two equal reports serialise alike whatever their key order. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  return value;
}
