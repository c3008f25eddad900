import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distEntry } from '../../core/dist-entry.js';
import { readReport } from '../../reports/read-report.js';
import type { Report } from '../../reports/schema.js';
import { writeReportJson } from '../../reports/writers/json-file.js';
import { latencySamples, noisyCounts, syntheticReport } from '../support/synthetic-report.js';

const exec = promisify(execFile);

/** Runs the built CLI; resolves with its exit code and output whatever the code. */
async function proxybench(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [distEntry('harness/cli/main.js'), ...args], { env: { ...process.env, NO_COLOR: '1' } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

function run(seed: number, medianMs: number, extra: { scenario?: string; shard?: number } = {}): Report {
  return syntheticReport({
    kinds: { get: { latenciesMs: latencySamples(1000, medianMs, seed), requestsPerSecond: noisyCounts(10, 100, 0.03, seed) } },
    ...(extra.scenario ? { scenario: extra.scenario } : {}),
    ...(extra.shard !== undefined ? { shard: { index: extra.shard, count: 2 } } : {}),
  });
}

describe('proxybench compare and merge as a child process', () => {
  let dir = '';
  const file = (name: string): string => join(dir, name);
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pb-cli-process-'));
    await Promise.all([
      writeReportJson(file('base.json'), run(1, 10)),
      writeReportJson(file('slow.json'), run(2, 14)),
      writeReportJson(file('other.json'), run(2, 10, { scenario: 'other' })),
      writeReportJson(file('s0.json'), run(3, 10, { shard: 0 })),
      writeReportJson(file('s1.json'), run(4, 10, { shard: 1 })),
    ]);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['1 on a regression', ['slow.json'], 1, /latency p99 .* regression/],
    ['0 for different scenarios with --force', ['other.json', '--force'], 0, /note: different scenarios compared/],
  ])('compare exits %s', async (_name, [current = '', ...flags], code, output) => {
    const result = await proxybench(['compare', file('base.json'), file(current), ...flags]);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code, stderr: '' });
    expect(result.stdout).toMatch(output);
  });

  it.each([
    ['different scenarios', ['compare', 'base.json', 'other.json'], "proxybench: cannot compare different scenarios: baseline 'synthetic', current 'other'; pass --force to compare anyway"],
    ['a bad tolerance', ['compare', 'base.json', 'slow.json', '-t', 'p99:-5%'], 'proxybench: --threshold: p99:-5% — p99 gets worse upwards, so write +5%'],
    ['shards of different runs', ['merge', 'base.json', 'other.json', '-o', 'x.json'], "proxybench: cannot merge different scenarios: {dir}/base.json is 'synthetic', {dir}/other.json is 'other'"],
  ])('exits 2 with one line for %s', async (_name, [command = '', ...args], line) => {
    const result = await proxybench([command, ...args.map((a) => (a.endsWith('.json') ? file(a) : a))]);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 2, stderr: `${line.replaceAll('{dir}', dir)}\n` });
  });

  it('merge writes the merged report and exits 0', async () => {
    const result = await proxybench(['merge', file('s0.json'), file('s1.json'), '-o', file('all.json')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Merged 2 report(s) into ${file('all.json')}`);
    const merged = await readReport(file('all.json'));
    const [s0, s1] = await Promise.all([readReport(file('s0.json')), readReport(file('s1.json'))]);
    expect(merged.totals.requests).toBe(s0.totals.requests + s1.totals.requests);
  });
});
