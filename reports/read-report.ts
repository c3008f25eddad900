import { readFile } from 'node:fs/promises';
import { ReportError } from '../core/errors.js';
import { isErrorCause } from '../core/error-cause.js';
import { PROTOCOLS } from '../core/scenario.js';
import { checkEncodedHistogram } from './histogram-codec.js';
import { HELD_PHASES, SCHEMA_VERSION, type Report } from './schema.js';

/**
 * Reading reports back (compare, merge, report): the file is an edge, so its shape is checked
 * field by field before anything trusts it, and every problem names the file and the field.
 */

type Check = (value: unknown, path: string) => void;

/** Thrown inside the checks; parseReport adds the file name. */
class ShapeError extends Error {}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return typeof value === 'object' ? 'an object' : String(value);
}

function fail(path: string, expected: string, value: unknown): never {
  throw new ShapeError(`${path} should be ${expected} (got ${describe(value)})`);
}

const num: Check = (v, p) => {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(p, 'a number', v);
};
const str: Check = (v, p) => {
  if (typeof v !== 'string') fail(p, 'a string', v);
};
const bool: Check = (v, p) => {
  if (typeof v !== 'boolean') fail(p, 'true or false', v);
};
// Encoded HdrHistograms are base64 ('' when empty); a stray character, or valid base64 around a
// corrupt payload, would fail only deep in the decoder, so each one is decoded once here.
const histogram: Check = (v, p) => {
  if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) fail(p, 'an encoded histogram (base64)', v);
  const check = checkEncodedHistogram(v);
  if (!check.readable) throw new ShapeError(`${p} is not a readable histogram: ${check.problem}`);
};

/** The samples an encoded histogram holds (it has passed {@link histogram}). */
function samplesIn(encoded: string): number {
  const check = checkEncodedHistogram(encoded);
  return check.readable ? check.totalCount : 0;
}

function at(value: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((node, key) => (isRecord(node) ? node[key] : undefined), value);
}

/**
 * Each summary was computed from the histogram beside it, so its `count` must be the histogram's
 * sample count: a histogram that decodes but disagrees was damaged (or edited) after the run.
 * Pairs are [histogram field, summary field], dotted; a pair absent in older reports is skipped.
 */
const countsAgree = (pairs: readonly (readonly [string, string])[]): Check => (v, p) => {
  for (const [histogramField, summaryField] of pairs) {
    const encoded = at(v, histogramField);
    const count = at(v, `${summaryField}.count`);
    if (typeof encoded !== 'string' || typeof count !== 'number') continue;
    const samples = samplesIn(encoded);
    if (samples !== count) {
      throw new ShapeError(`${p}.${histogramField} is not a readable histogram: it holds ${samples} samples where ${p}.${summaryField}.count says ${count}`);
    }
  }
};
const both = (...checks: readonly Check[]): Check => (v, p) => {
  for (const check of checks) check(v, p);
};
const optional = (check: Check): Check => (v, p) => {
  if (v !== undefined) check(v, p);
};
const nullable = (check: Check): Check => (v, p) => {
  if (v !== null) check(v, p);
};
const oneOf = (...allowed: readonly string[]): Check => (v, p) => {
  if (typeof v !== 'string' || !allowed.includes(v)) fail(p, `one of ${allowed.join(', ')}`, v);
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const shape = (fields: Readonly<Record<string, Check>>): Check => (v, p) => {
  if (!isRecord(v)) fail(p, 'an object', v);
  for (const [key, check] of Object.entries(fields)) check(v[key], p === '' ? key : `${p}.${key}`);
};
const recordOf = (check: Check): Check => (v, p) => {
  if (!isRecord(v)) fail(p, 'an object', v);
  for (const [key, value] of Object.entries(v)) check(value, `${p}.${key}`);
};
const arrayOf = (check: Check): Check => (v, p) => {
  if (!Array.isArray(v)) fail(p, 'an array', v);
  v.forEach((item, i) => check(item, `${p}[${i}]`));
};
const errors: Check = (v, p) => {
  recordOf(num)(v, p);
  for (const key of Object.keys(v as object)) if (!isErrorCause(key)) fail(`${p}.${key}`, 'a known error cause', key);
};

const latencySummary = shape({ count: num, p50: num, p90: num, p95: num, p99: num, p999: num, max: num, mean: num });
const addedLatency = shape({ p50: num, p90: num, p99: num });

const statsShape = shape({
  requests: num, successes: num, failures: num, successRate: num, rps: num, bytesIn: num, bytesOut: num,
  throughputMbps: num, latencyMs: latencySummary, serviceTimeMs: latencySummary, latencyMinusOriginMs: optional(latencySummary),
  phasesMs: shape({ connect: latencySummary, proxyHandshake: latencySummary, tls: latencySummary, ttfb: latencySummary }),
  errors, backoffs: num, staleRetries: num, connections: shape({ opened: num, reused: num, reuseRatio: num }),
  late: num, dropped: num, histogram,
  messages: optional(shape({ sent: num, received: num, lost: num, reordered: num, duplicates: num })),
  messagesPerSecond: optional(num), lossRate: optional(num), rttMs: optional(latencySummary),
  phaseHistograms: shape({
    serviceTime: histogram, connect: histogram, proxyHandshake: histogram, tls: histogram, ttfb: histogram,
    latencyMinusOrigin: optional(histogram), rtt: optional(histogram),
  }),
  verification: optional(oneOf('bytes', 'length', 'sha256')),
});

const stats = both(statsShape, countsAgree([
  ['histogram', 'latencyMs'], ['phaseHistograms.serviceTime', 'serviceTimeMs'], ['phaseHistograms.latencyMinusOrigin', 'latencyMinusOriginMs'],
  ['phaseHistograms.connect', 'phasesMs.connect'], ['phaseHistograms.proxyHandshake', 'phasesMs.proxyHandshake'],
  ['phaseHistograms.tls', 'phasesMs.tls'], ['phaseHistograms.ttfb', 'phasesMs.ttfb'], ['phaseHistograms.rtt', 'rttMs'],
]));

const seriesStats = shape({
  requests: num, successes: num, failures: num, errors, rps: num, bytesIn: num, p50: num, p99: num, inFlight: num, histogram,
});

const sut = shape({
  source: oneOf('embedded', 'spawned', 'attached'), pid: num, command: optional(str), startupMs: optional(num),
  rssPeakMiB: num, cpuPercentMean: num, rssMiB: shape({ start: num, peak: num, mean: num, end: num }),
  rssSlopeMiBPerMin: num, rssSlopeR2: num, cpuPercent: shape({ mean: num, peak: num }), cpuMsPer1kRequests: num,
  fdsPeak: num, threadsPeak: num,
  samples: arrayOf(shape({ t: num, rssMiB: num, cpuPercent: num, fds: num, threads: num })),
});

const load: Check = (v, p) => {
  shape({ model: oneOf('closed', 'open'), achievedRps: num, requests: optional(num) })(v, p);
  const model = (v as { model: string }).model;
  if (model === 'closed') shape({ concurrency: num, shareOf: optional(shape({ shardCount: num, concurrency: num, requests: optional(num) })) })(v, p);
  else {
    const shareOf = shape({ shardCount: num, offeredRps: optional(num), maxInFlight: num, requests: optional(num) });
    shape({ offeredRps: num, maxInFlight: num, scheduleKept: bool, shareOf: optional(shareOf) })(v, p);
  }
};

const heldPhases = shape({ connect: latencySummary, proxyHandshake: latencySummary, tls: latencySummary });
const held = both(
  shape({
    target: num, protocol: oneOf(...PROTOCOLS), origin: oneOf('http', 'https'), established: num, failed: num, closedEarly: num, errors,
    phasesMs: heldPhases, phaseHistograms: shape({ connect: histogram, proxyHandshake: histogram, tls: histogram }),
    openingMs: num, holdMs: num, trickle: optional(shape({ intervalMs: num, ok: num, failed: num })),
    sutRssBaselineMiB: nullable(num), sutRssHeldMiB: nullable(num), sutRssPerThousandMiB: nullable(num), hint: optional(str),
  }),
  countsAgree(HELD_PHASES.map((phase) => [`phaseHistograms.${phase}`, `phasesMs.${phase}`] as const)),
);

const mergeInfo: Check = (v, p) => {
  shape({ mode: oneOf('shards', 'sequential'), reports: num })(v, p);
  if ((v as { mode: string }).mode === 'sequential') {
    shape({ runs: arrayOf(shape({ startedAt: str, durationMs: num, requests: num, runId: optional(str) })) })(v, p);
  }
};

const report = shape({
  tool: shape({ name: oneOf('proxybench'), version: str }),
  scenario: str,
  config: recordOf(() => undefined),
  environment: shape({ node: str, platform: str, arch: str, osRelease: str, cpus: num, cpuModel: str, totalMemoryMiB: num }),
  startedAt: str, durationMs: num, warmupMs: num, partial: bool,
  shards: optional(arrayOf(shape({ index: num, count: num }))),
  runId: optional(str), merged: optional(mergeInfo),
  load, totals: stats, byKind: recordOf(stats), byProtocol: recordOf(stats), byProxy: optional(recordOf(stats)),
  series: arrayOf(shape({ t: num, totals: seriesStats, byKind: recordOf(seriesStats) })),
  harness: shape({ workers: num, rssPeakMiB: num, cpuPercent: num, cpuUsPerRequest: num, eventLoopDelayP99Ms: num, saturated: bool }),
  sut: nullable(sut),
  directBaseline: optional(shape({
    byKind: recordOf(stats),
    overheadByKind: recordOf(shape({
      latencyAddedMs: addedLatency, basis: optional(oneOf('minus-origin', 'latency')), latencyAddedGrossMs: optional(addedLatency), throughputRatio: num,
    })),
  })),
  held: optional(held),
  thresholds: arrayOf(shape({ expression: str, metric: str, kind: optional(str), proxy: optional(str), op: oneOf('<', '<=', '>', '>=', '=='), limit: num, value: nullable(num), passed: bool, reason: optional(str) })),
  warnings: arrayOf(shape({ code: str, message: str })),
});

/**
 * Checks that a parsed JSON value is a report this proxybench can read, and returns it typed.
 *
 * @param source the file name (or other origin) named in errors
 * @throws ReportError naming the source and the first field that is wrong, or the unsupported
 *   schema major version
 */
export function parseReport(json: unknown, source: string): Report {
  if (!isRecord(json)) throw new ReportError(`${source}: not a proxybench report (expected a JSON object, got ${describe(json)})`);
  const version = json.schemaVersion;
  if (typeof version !== 'number' || !Number.isFinite(version)) {
    throw new ReportError(`${source}: not a proxybench report (schemaVersion should be a number, got ${describe(version)})`);
  }
  // The shape is only known for our own major version: a newer one may mean anything.
  if (Math.floor(version) !== SCHEMA_VERSION) {
    throw new ReportError(`${source}: report schema version ${version} is not supported (this proxybench reads version ${SCHEMA_VERSION})`);
  }
  try {
    report(json, '');
  } catch (err) {
    if (err instanceof ShapeError) throw new ReportError(`${source}: ${err.message}`);
    throw err;
  }
  return json as unknown as Report;
}

/**
 * Reads and checks a report file.
 *
 * @throws ReportError for a missing or unreadable file, text that is not JSON, or a bad report
 */
export async function readReport(path: string): Promise<Report> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? String(err)})`;
    throw new ReportError(`${path}: ${why}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ReportError(`${path}: not JSON (${(err as Error).message})`);
  }
  return parseReport(json, path);
}
