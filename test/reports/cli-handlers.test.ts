import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareFiles } from '../../reports/compare/compare-files.js';
import { writeReportViews } from '../../reports/writers/report-views.js';
import { mergeFiles } from '../../reports/merge-files.js';
import { exitCodeFor } from '../../core/errors.js';
import { readReport } from '../../reports/read-report.js';
import type { Report } from '../../reports/schema.js';
import { writeReportJson } from '../../reports/writers/json-file.js';
import { latencySamples, noisyCounts, syntheticReport } from '../support/synthetic-report.js';
import { xmlProblem } from '../support/xml-well-formed.js';

function run(seed: number, medianMs: number, extra: { scenario?: string; shard?: { index: number; count: number } } = {}): Report {
  return syntheticReport({
    kinds: { get: { latenciesMs: latencySamples(1500, medianMs, seed), requestsPerSecond: noisyCounts(15, 100, 0.03, seed) } },
    ...(extra.scenario ? { scenario: extra.scenario } : {}),
    ...(extra.shard ? { shard: extra.shard, startSec: 1_700_000_000 + extra.shard.index } : {}),
  });
}

/** Runs `fn`, returning the exit code main would give its error (or undefined when it did not throw). */
async function exitOf(fn: () => Promise<unknown>): Promise<{ code: number | undefined; message: string }> {
  try {
    await fn();
    return { code: undefined, message: '' };
  } catch (err) {
    return { code: exitCodeFor(err), message: (err as Error).message };
  }
}

describe('compare and merge command handlers', () => {
  let dir = '';
  const file = (name: string): string => join(dir, name);
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pb-cli-'));
    await writeReportJson(file('base.json'), run(1, 10));
    await writeReportJson(file('same.json'), run(2, 10));
    await writeReportJson(file('slow.json'), run(2, 14));
    await writeReportJson(file('other.json'), run(2, 10, { scenario: 'other' }));
    await writeReportJson(file('shard0.json'), run(3, 10, { shard: { index: 0, count: 2 } }));
    await writeReportJson(file('shard1.json'), run(4, 12, { shard: { index: 1, count: 2 } }));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['no regression', 'same.json', [], 0],
    ['a latency regression', 'slow.json', [], 1],
    ['a regression allowed by wider tolerances', 'slow.json', ['p50:+60%', 'p95:+60%', 'p99:+60%', 'max:+80%'], 0],
    ['a failed absolute threshold on the current report', 'same.json', ['p99<1ms'], 1],
    ['a passed absolute threshold beside a tolerance', 'same.json', ['p99<1s', 'rps:-10%'], 0],
  ])('compare exits %s → %i', async (_name, current, threshold, exitCode) => {
    const printed: string[] = [];
    const outcome = await compareFiles({ baseline: file('base.json'), current: file(current), threshold }, (t) => printed.push(t));
    expect(outcome.exitCode).toBe(exitCode);
    expect(printed.join('\n')).toContain(`${outcome.comparison.regressions} regression`);
  });

  it.each([
    ['different scenarios', { current: 'other.json' }, "different scenarios: baseline 'synthetic', current 'other'"],
    ['a missing report', { current: 'missing.json' }, 'missing.json: no such file'],
    ['a bad threshold', { current: 'same.json', threshold: ['p99 fast'] }, "--threshold: 'p99 fast' is not a threshold"],
    ['a bad tolerance', { current: 'same.json', threshold: ['p99:-5%'] }, 'write +5%'],
  ])('compare refuses %s with exit code 2', async (_name, flags, message) => {
    const result = await exitOf(() => compareFiles({ baseline: file('base.json'), ...flags, current: file(flags.current) }, () => undefined));
    expect(result.code).toBe(2);
    expect(result.message).toContain(message);
  });

  it('compare --force compares different scenarios', async () => {
    const outcome = await compareFiles({ baseline: file('base.json'), current: file('other.json'), force: true }, () => undefined);
    expect(outcome.exitCode).toBe(0);
  });

  it('report --baseline refuses a baseline of another scenario unless --force', async () => {
    const refused = await exitOf(() => writeReportViews({ report: file('other.json'), baseline: file('base.json'), md: file('forced.md') }));
    expect(refused).toEqual({ code: 2, message: expect.stringContaining("different scenarios: baseline 'synthetic', current 'other'") });
    const written = await writeReportViews({ report: file('other.json'), baseline: file('base.json'), md: file('forced.md'), force: true });
    expect(written.map((w) => w.format)).toEqual(['md']);
    expect(await readFile(file('forced.md'), 'utf8')).toContain('regression');
  });

  it('compare writes the Markdown, JUnit and JSON views', async () => {
    const flags = { baseline: file('base.json'), current: file('slow.json'), threshold: ['p99<1s'], md: file('c.md'), junit: file('c.xml'), json: file('c.json') };
    const outcome = await compareFiles(flags, () => undefined);
    const json = JSON.parse(await readFile(file('c.json'), 'utf8')) as { regressions: number; thresholds: { passed: boolean }[] };
    expect(json.regressions).toBe(outcome.comparison.regressions);
    expect(json.thresholds).toEqual([expect.objectContaining({ expression: 'p99<1s', passed: true })]);
    expect(await readFile(file('c.md'), 'utf8')).toContain(`**${outcome.comparison.regressions} regression(s)**`);
    const xml = await readFile(file('c.xml'), 'utf8');
    expect(xmlProblem(xml)).toBeUndefined();
    expect(xml.match(/<failure type="regression"/g)).toHaveLength(outcome.comparison.regressions);
  });

  it('merge writes the merged report, readable again', async () => {
    const printed: string[] = [];
    const { report, exitCode } = await mergeFiles({ reports: [file('shard0.json'), file('shard1.json')], output: file('all.json') }, (t) => printed.push(t));
    expect(exitCode).toBe(0);
    const back = await readReport(file('all.json'));
    expect(back).toEqual(report);
    expect(back.totals.requests).toBe((await readReport(file('shard0.json'))).totals.requests + (await readReport(file('shard1.json'))).totals.requests);
    expect(back.shards).toEqual([{ index: 0, count: 2 }, { index: 1, count: 2 }]);
    expect(printed.at(-1)).toBe(`Merged 2 report(s) into ${file('all.json')}`);
  });

  it('merge refuses reports of different scenarios with exit code 2', async () => {
    const result = await exitOf(() => mergeFiles({ reports: [file('base.json'), file('other.json')], output: file('bad.json') }, () => undefined));
    expect(result).toEqual({ code: 2, message: `cannot merge different scenarios: ${file('base.json')} is 'synthetic', ${file('other.json')} is 'other'` });
  });
});
