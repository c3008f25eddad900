import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReportError } from '../../core/errors.js';
import { createHistogram, encodeHistogram } from '../../reports/histogram-codec.js';
import { proxyOverhead } from '../../reports/proxy-overhead.js';
import { parseReport, readReport } from '../../reports/read-report.js';
import type { Report } from '../../reports/schema.js';
import { writeReportJson } from '../../reports/writers/json-file.js';
import { latencySamples, syntheticReport } from '../support/synthetic-report.js';

const run = syntheticReport({
  kinds: { 'get-1k': { latenciesMs: latencySamples(50, 4, 1), requestsPerSecond: [20, 20, 12], failuresPerSecond: [1, 0, 1], originMs: [1.5, 2.25, 0.5] } },
  sut: { rssPeakMiB: 30, cpuPercentSamples: [5, 6] },
});
const direct = syntheticReport({
  kinds: { 'get-1k': { latenciesMs: latencySamples(50, 2, 2), requestsPerSecond: [30, 30, 30], originMs: [1.5, 2.25, 0.5] } },
}).byKind;
/** A run with its direct baseline, the origin's service time on every success of both. */
const report: Report = {
  ...run,
  directBaseline: { byKind: direct, overheadByKind: { 'get-1k': proxyOverhead(run.byKind['get-1k']!, direct['get-1k']!) } },
};

/** A deep copy of the report with one field (dotted path) set to `value`. */
function withField(path: string, value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(report)) as Record<string, unknown>;
  const keys = path.split('.');
  let node: Record<string, unknown> = copy;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[keys.at(-1) ?? ''] = value;
  return copy;
}

describe('parseReport', () => {
  it('accepts a report as a run writes it', () => {
    expect(report.directBaseline?.overheadByKind['get-1k']?.basis).toBe('minus-origin');
    expect(report.totals.latencyMinusOriginMs?.count).toBe(report.totals.successes);
    expect(parseReport(JSON.parse(JSON.stringify(report)), 'r.json')).toEqual(report);
  });

  it('accepts a report written before the origin-subtracted figures existed', () => {
    const old = JSON.parse(JSON.stringify(report)) as {
      byKind: Record<string, { latencyMinusOriginMs?: unknown; phaseHistograms: { latencyMinusOrigin?: unknown } }>;
      directBaseline: { overheadByKind: Record<string, { basis?: unknown; latencyAddedGrossMs?: unknown }> };
    };
    for (const stats of Object.values(old.byKind)) {
      delete stats.latencyMinusOriginMs;
      delete stats.phaseHistograms.latencyMinusOrigin;
    }
    for (const overhead of Object.values(old.directBaseline.overheadByKind)) {
      delete overhead.basis;
      delete overhead.latencyAddedGrossMs;
    }
    expect(parseReport(old, 'old.json')).toEqual(old);
  });

  it.each([
    ['totals.requests', 'many', 'r.json: totals.requests should be a number (got "many")'],
    ['byKind.get-1k.latencyMs.p99', null, 'r.json: byKind.get-1k.latencyMs.p99 should be a number (got null)'],
    ['series.0.totals.histogram', 'not base64!', 'r.json: series[0].totals.histogram should be an encoded histogram (base64) (got "not base64!")'],
    ['totals.errors.gremlins', 3, 'r.json: totals.errors.gremlins should be a known error cause (got "gremlins")'],
    ['sut.samples', {}, 'r.json: sut.samples should be an array (got an object)'],
    ['tool.name', 'k6', 'r.json: tool.name should be one of proxybench (got "k6")'],
    ['load.model', 'burst', 'r.json: load.model should be one of closed, open (got "burst")'],
    ['partial', 'no', 'r.json: partial should be true or false (got "no")'],
    ['totals.latencyMinusOriginMs.p50', '1', 'r.json: totals.latencyMinusOriginMs.p50 should be a number (got "1")'],
    ['totals.phaseHistograms.latencyMinusOrigin', 'not base64!', 'r.json: totals.phaseHistograms.latencyMinusOrigin should be an encoded histogram (base64) (got "not base64!")'],
    ['directBaseline.overheadByKind.get-1k.basis', 'net', 'r.json: directBaseline.overheadByKind.get-1k.basis should be one of minus-origin, latency (got "net")'],
    ['directBaseline.overheadByKind.get-1k.latencyAddedGrossMs', 3, 'r.json: directBaseline.overheadByKind.get-1k.latencyAddedGrossMs should be an object (got 3)'],
    ['thresholds', [{ expression: 'p99<1', metric: 'p99', op: '=', limit: 1, value: 2, passed: false }], 'r.json: thresholds[0].op should be one of <, <=, >, >=, == (got "=")'],
  ])('names the file and the field when %s is wrong', (path, value, message) => {
    const json = path.startsWith('series.0.') ? seriesField(path.slice('series.0.'.length), value) : withField(path, value);
    expect(() => parseReport(json, 'r.json')).toThrow(new ReportError(message));
  });

  it.each([
    [2, 'r.json: report schema version 2 is not supported (this proxybench reads version 1)'],
    ['1', 'r.json: not a proxybench report (schemaVersion should be a number, got "1")'],
  ])('refuses schema version %s', (version, message) => {
    expect(() => parseReport(withField('schemaVersion', version), 'r.json')).toThrow(message);
  });

  it('throws only ReportError for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        try {
          parseReport(value, 'fuzz.json');
          return false;
        } catch (err) {
          return err instanceof ReportError && err.message.startsWith('fuzz.json: ');
        }
      }),
      { numRuns: 500 },
    );
  });

  it('throws only ReportError when any one field of a report is replaced', () => {
    const paths = fieldPaths(JSON.parse(JSON.stringify(report)) as Record<string, unknown>);
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue(), (path, value) => {
        try {
          parseReport(withField(path, value), 'fuzz.json');
          return true;
        } catch (err) {
          return err instanceof ReportError;
        }
      }),
      { numRuns: 500 },
    );
  });
});

function seriesField(path: string, value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(report)) as { series: Record<string, Record<string, unknown>>[] };
  const [group = '', key = ''] = path.split('.');
  const point = copy.series[0];
  if (point?.[group]) point[group][key] = value;
  return copy;
}

/** Dotted paths of every object field (arrays are left whole), for the mutation property. */
function fieldPaths(node: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(node).flatMap(([key, value]) => {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    const nested = typeof value === 'object' && value !== null && !Array.isArray(value) ? fieldPaths(value as Record<string, unknown>, path) : [];
    return [path, ...nested];
  });
}

describe('parseReport with a damaged histogram', () => {
  /** Valid base64 around a payload that is no HdrHistogram. */
  const garbage = Buffer.from('these bytes are no histogram at all').toString('base64');
  /** A compressed-histogram header around deflated nonsense: it inflates, then is no histogram. */
  const badPayload = (() => {
    const inner = Buffer.alloc(120, 0x5a);
    inner.writeUInt32BE(0x1c849313, 0);
    const deflated = deflateSync(inner);
    const head = Buffer.alloc(8);
    head.writeUInt32BE(0x1c849304, 0);
    head.writeUInt32BE(deflated.length, 4);
    return Buffer.concat([head, deflated]).toString('base64');
  })();
  const threeSamples = (() => {
    const h = createHistogram();
    for (const us of [100, 200, 300]) h.recordValue(us);
    const encoded = encodeHistogram(h);
    h.destroy();
    return encoded;
  })();
  const serviceTimeCount = report.byKind['get-1k']!.serviceTimeMs.count;

  it.each([
    ['garbage in valid base64', 'totals.histogram', garbage, 'r.json: totals.histogram is not a readable histogram: its payload is not an HdrHistogram ('],
    ['a payload that inflates to nonsense', 'byKind.get-1k.phaseHistograms.ttfb', badPayload, 'r.json: byKind.get-1k.phaseHistograms.ttfb is not a readable histogram: '],
    [
      'a histogram whose count disagrees with its summary', 'byKind.get-1k.phaseHistograms.serviceTime', threeSamples,
      `r.json: byKind.get-1k.phaseHistograms.serviceTime is not a readable histogram: it holds 3 samples where byKind.get-1k.serviceTimeMs.count says ${serviceTimeCount}`,
    ],
  ])('names the file and the field for %s', (_name, path, value, message) => {
    expect(() => parseReport(withField(path, value), 'r.json')).toThrow(ReportError);
    expect(() => parseReport(withField(path, value), 'r.json')).toThrow(message);
  });

  it('checks the histograms of the series too', () => {
    expect(() => parseReport(seriesField('totals.histogram', garbage), 'r.json')).toThrow('r.json: series[0].totals.histogram is not a readable histogram');
  });
});

describe('readReport', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pb-read-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads back what writeReportJson wrote', async () => {
    const path = join(dir, 'report.json');
    await writeReportJson(path, report);
    expect(await readReport(path)).toEqual(report);
  });

  it.each([
    ['a missing file', 'missing.json', undefined, 'no such file'],
    ['text that is not JSON', 'broken.json', '{"schemaVersion": 1,', 'not JSON ('],
    ['a directory', '.', undefined, 'is a directory'],
  ])('refuses %s', async (_name, file, content, message) => {
    const path = join(dir, file);
    if (content !== undefined) await writeFile(path, content);
    await expect(readReport(path)).rejects.toThrow(ReportError);
    await expect(readReport(path)).rejects.toThrow(`${path}: ${message}`);
  });
});
