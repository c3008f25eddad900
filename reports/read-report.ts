import { readFile } from 'node:fs/promises';
import { ReportError } from '../core/errors.js';
import { isErrorCause } from '../core/error-cause.js';
import { SCHEMA_VERSION, type Report } from './schema.js';

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
// Encoded HdrHistograms are base64 ('' when empty); a stray character would fail only deep in the decoder.
const histogram: Check = (v, p) => {
  if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) fail(p, 'an encoded histogram (base64)', v);
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

const stats = shape({
  requests: num, successes: num, failures: num, successRate: num, rps: num, bytesIn: num, bytesOut: num,
  throughputMbps: num, latencyMs: latencySummary, serviceTimeMs: latencySummary, latencyMinusOriginMs: optional(latencySummary),
  phasesMs: shape({ connect: latencySummary, proxyHandshake: latencySummary, tls: latencySummary, ttfb: latencySummary }),
  errors, backoffs: num, staleRetries: num, connections: shape({ opened: num, reused: num, reuseRatio: num }),
  late: num, dropped: num, histogram,
  phaseHistograms: shape({
    serviceTime: histogram, connect: histogram, proxyHandshake: histogram, tls: histogram, ttfb: histogram,
    latencyMinusOrigin: optional(histogram),
  }),
});

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
  shape({ model: oneOf('closed', 'open'), achievedRps: num })(v, p);
  const model = (v as { model: string }).model;
  if (model === 'closed') shape({ concurrency: num })(v, p);
  else shape({ offeredRps: num, maxInFlight: num, scheduleKept: bool })(v, p);
};

const report = shape({
  tool: shape({ name: oneOf('proxybench'), version: str }),
  scenario: str,
  config: recordOf(() => undefined),
  environment: shape({ node: str, platform: str, arch: str, osRelease: str, cpus: num, cpuModel: str, totalMemoryMiB: num }),
  startedAt: str, durationMs: num, warmupMs: num, partial: bool,
  shards: optional(arrayOf(shape({ index: num, count: num }))),
  load, totals: stats, byKind: recordOf(stats), byProtocol: recordOf(stats),
  series: arrayOf(shape({ t: num, totals: seriesStats, byKind: recordOf(seriesStats) })),
  harness: shape({ workers: num, rssPeakMiB: num, cpuPercent: num, cpuUsPerRequest: num, eventLoopDelayP99Ms: num, saturated: bool }),
  sut: nullable(sut),
  directBaseline: optional(shape({
    byKind: recordOf(stats),
    overheadByKind: recordOf(shape({
      latencyAddedMs: addedLatency, basis: optional(oneOf('minus-origin', 'latency')), latencyAddedGrossMs: optional(addedLatency), throughputRatio: num,
    })),
  })),
  thresholds: arrayOf(shape({ expression: str, metric: str, kind: optional(str), op: oneOf('<', '<=', '>', '>=', '=='), limit: num, value: num, passed: bool })),
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
