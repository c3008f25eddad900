import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHistogram, encodeHistogram } from '../../reports/histogram-codec.js';
import type { Report } from '../../reports/schema.js';
import { runCli, tempDir, type CliResult } from '../support/cli.js';

/**
 * Shards, merge and reading reports, through the CLI as a user runs them (issue #10): a sharded
 * open-model run offers and limits its share and the merge the whole; merge refuses reports that
 * are not shards of one run unless told to add whole runs back to back (--sequential); a report
 * whose histogram is valid base64 around a corrupt payload is a usage error naming file and field.
 */

/** The open-model run of the issue, one shard of two; `--start-at` makes both start together. */
const OPEN = ['run', 'http-get', '--rate', '300', '--duration', '3s', '--warmup', '500ms', '--quiet'];
/** A closed-model run bounded by count, split unevenly (5 in flight and 101 requests over 2 shards). */
const CLOSED = ['run', 'http-get', '--concurrency', '5', '--requests', '101', '--warmup', '0', '--quiet'];
/** A short whole (unsharded) run. */
const WHOLE = ['run', 'http-get', '--concurrency', '2', '--duration', '1s', '--warmup', '0', '--quiet'];

/** Far enough ahead that both shard processes are up (a late one simply starts at once). */
function startAtSoon(): string {
  return String(Date.now() + 3000);
}

async function readJson(path: string): Promise<Report> {
  return JSON.parse(await readFile(path, 'utf8')) as Report;
}

function expectRunOk(result: CliResult): void {
  expect(result.code, result.stderr).toBe(0);
}

/** A usage error as the CLI must give it: exit 2, one line on stderr, no stack trace. */
function expectOneLineUsageError(result: CliResult, ...parts: readonly string[]): void {
  expect(result.code, result.stderr).toBe(2);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^proxybench: /);
  expect(lines[0]).not.toContain('internal error');
  for (const part of parts) expect(lines[0]).toContain(part);
}

describe('sharded runs and merge, end to end', () => {
  let dir = '';
  const file = (name: string): string => join(dir, name);
  const reports: Record<string, Report> = {};

  beforeAll(async () => {
    dir = await tempDir();
    const openAt = startAtSoon();
    const open = await Promise.all([0, 1].map((i) => runCli([...OPEN, '--shard', `${i}/2`, '--start-at', openAt, '--out', file(`open${i}.json`)])));
    open.forEach(expectRunOk);
    const closedAt = startAtSoon();
    const closed = await Promise.all([0, 1].map((i) => runCli([...CLOSED, '--shard', `${i}/2`, '--start-at', closedAt, '--out', file(`closed${i}.json`)])));
    closed.forEach(expectRunOk);
    // Shard 2 of another run with the same flags but its own --start-at, beside whole runs one after another.
    const [other, wholes] = await Promise.all([
      runCli([...OPEN, '--shard', '1/2', '--start-at', startAtSoon(), '--out', file('other1.json')]),
      (async () => [
        await runCli([...WHOLE, '--out', file('whole1.json')]),
        await runCli([...WHOLE, '--out', file('whole2.json')]),
        await runCli([...WHOLE, '--shard', '1/3', '--out', file('third1.json')]),
      ])(),
    ]);
    [other, ...wholes].forEach(expectRunOk);
    for (const name of ['open0', 'open1', 'closed0', 'closed1', 'other1', 'whole1', 'whole2']) reports[name] = await readJson(file(`${name}.json`));
  }, 180_000);

  describe('a sharded open-model run (--rate 300 --shard i/2)', () => {
    it('offers each shard its share and reports its limits as shares of the whole', () => {
      for (const name of ['open0', 'open1']) {
        const load = reports[name]!.load;
        expect(load, name).toMatchObject({ model: 'open', offeredRps: 150, maxInFlight: 5000 });
        expect(load.shareOf, name).toEqual({ shardCount: 2, offeredRps: 300, maxInFlight: 10_000 });
        // Judged against its own share: a missed schedule may still happen on a busy machine, but
        // never because the shard is compared with the whole run's 300 req/s.
        for (const w of reports[name]!.warnings.filter((x) => x.code === 'schedule_not_kept')) {
          expect(w.message).toContain("offered 150 req/s (this shard's 1/2 share of 300)");
        }
      }
      expect(reports.open0!.runId).toMatch(/^[0-9a-f]{16}$/);
      expect(reports.open1!.runId).toBe(reports.open0!.runId);
    });

    it('merges into the whole run: offered 300 req/s, 10,000 in flight, every request counted once', async () => {
      const result = await runCli(['merge', file('open0.json'), file('open1.json'), '-o', file('open-all.json'), '--quiet']);
      expect(result.code, result.stderr).toBe(0);
      const merged = await readJson(file('open-all.json'));
      expect(merged.load).toMatchObject({ model: 'open', offeredRps: 300, maxInFlight: 10_000 });
      expect(merged.load.shareOf).toBeUndefined();
      expect(merged.totals.requests).toBe(reports.open0!.totals.requests + reports.open1!.totals.requests);
      expect(merged.merged).toEqual({ mode: 'shards', reports: 2 });
      expect(merged.runId).toBe(reports.open0!.runId);
      expect(merged.shards).toEqual([{ index: 0, count: 2 }, { index: 1, count: 2 }]);
    });
  });

  describe('a sharded closed-model run bounded by count (--concurrency 5 --requests 101 --shard i/2)', () => {
    it('gives each shard its whole share of the concurrency and of --requests, and runs exactly that many', () => {
      const [first, second] = [reports.closed0!, reports.closed1!];
      expect(first.load).toEqual({ model: 'closed', concurrency: 3, achievedRps: first.load.achievedRps, requests: 51, shareOf: { shardCount: 2, concurrency: 5, requests: 101 } });
      expect(second.load).toEqual({ model: 'closed', concurrency: 2, achievedRps: second.load.achievedRps, requests: 50, shareOf: { shardCount: 2, concurrency: 5, requests: 101 } });
      expect(first.totals.requests).toBe(51);
      expect(second.totals.requests).toBe(50);
    });

    it('merges into the whole run\u2019s concurrency and request bound', async () => {
      const result = await runCli(['merge', file('closed0.json'), file('closed1.json'), '-o', file('closed-all.json'), '--quiet']);
      expect(result.code, result.stderr).toBe(0);
      const merged = await readJson(file('closed-all.json'));
      expect(merged.load).toEqual({ model: 'closed', concurrency: 5, achievedRps: merged.totals.rps, requests: 101 });
      expect(merged.totals.requests).toBe(101);
    });
  });

  describe('merge refuses reports that are not the shards of one run', () => {
    beforeAll(async () => {
      await copyFile(file('whole1.json'), file('whole1-copy.json'));
      await writeFile(file('other-scenario.json'), JSON.stringify({ ...reports.open1, scenario: 'http-mixed' }));
    });

    it.each([
      ['a report merged with itself', ['whole1.json', 'whole1.json'], ['cannot merge a report with itself', 'whole1.json is given twice']],
      ['a report merged with a copy of itself', ['whole1.json', 'whole1-copy.json'], ['whole1.json and', 'whole1-copy.json are the same report']],
      ['the same shard index twice', ['open1.json', 'other1.json'], ['shard 2/2 is given twice']],
      ['shard counts that disagree', ['open0.json', 'third1.json'], ['runs split differently', 'one of 2 shards', 'third1.json one of 3']],
      ['unsharded reports', ['whole1.json', 'whole2.json'], ['whole1.json: it is not a shard', 'use merge --sequential']],
      ['different scenarios', ['open0.json', 'other-scenario.json'], ['cannot merge different scenarios', "is 'http-mixed'"]],
      ['shards of different runs (another --start-at)', ['open0.json', 'other1.json'], ['cannot merge shards of different runs', 'other1.json (shard 2/2) has']],
    ])('exits 2 with one line for %s', async (_name, inputs, parts) => {
      const result = await runCli(['merge', ...inputs.map(file), '-o', file('refused.json')]);
      expectOneLineUsageError(result, ...parts);
    });

    it('tells the runs apart by their ids', () => {
      expect(reports.other1!.runId).not.toBe(reports.open0!.runId);
    });
  });

  describe('merge --sequential adds whole runs back to back', () => {
    it('adds counts, histograms and durations, computes rates over the summed time, and says so', async () => {
      const result = await runCli(['merge', '--sequential', file('whole1.json'), file('whole2.json'), '-o', file('seq.json')]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('Added 2 runs back to back (--sequential)');
      const merged = await readJson(file('seq.json'));
      const [a, b] = [reports.whole1!, reports.whole2!];
      expect(merged.durationMs).toBe(a.durationMs + b.durationMs);
      expect(merged.totals.requests).toBe(a.totals.requests + b.totals.requests);
      expect(merged.totals.latencyMs.count).toBe(a.totals.latencyMs.count + b.totals.latencyMs.count);
      expect(merged.totals.rps).toBe(Math.round(((a.totals.requests + b.totals.requests) / ((a.durationMs + b.durationMs) / 1000)) * 100) / 100);
      expect(merged.merged).toEqual({
        mode: 'sequential', reports: 2,
        runs: [a, b].map((r) => ({ startedAt: r.startedAt, durationMs: r.durationMs, requests: r.totals.requests, runId: r.runId })),
      });
      expect(merged.shards).toBeUndefined();
    });

    it('still refuses the same report twice', async () => {
      const result = await runCli(['merge', '--sequential', file('whole1.json'), file('whole1.json'), '-o', file('seq-refused.json')]);
      expectOneLineUsageError(result, 'cannot merge a report with itself');
    });
  });

  describe('a report whose histogram is valid base64 around a corrupt payload', () => {
    const garbage = Buffer.from('these bytes are no HdrHistogram at all').toString('base64');

    beforeAll(async () => {
      const damaged = structuredClone(reports.whole1!) as unknown as { totals: { histogram: string } };
      damaged.totals.histogram = garbage;
      await writeFile(file('corrupt.json'), JSON.stringify(damaged));
      // A valid histogram, but not the one its summary was computed from.
      const h = createHistogram();
      for (const us of [100, 200, 300]) h.recordValue(us);
      const swapped = structuredClone(reports.whole1!) as unknown as { byKind: Record<string, { phaseHistograms: { serviceTime: string } }> };
      swapped.byKind['get-1k']!.phaseHistograms.serviceTime = encodeHistogram(h);
      h.destroy();
      await writeFile(file('swapped.json'), JSON.stringify(swapped));
    });

    it.each([
      ['compare', (bad: string) => ['compare', file('whole2.json'), bad]],
      ['merge', (bad: string) => ['merge', bad, file('whole2.json'), '-o', file('never.json')]],
      ['report', (bad: string) => ['report', bad, '--md', file('never.md')]],
    ])('%s exits 2 with one line naming the file and the field', async (_command, args) => {
      const corrupt = await runCli(args(file('corrupt.json')));
      expectOneLineUsageError(corrupt, `${file('corrupt.json')}: totals.histogram is not a readable histogram`);
      const swapped = await runCli(args(file('swapped.json')));
      expectOneLineUsageError(swapped, `${file('swapped.json')}: byKind.get-1k.phaseHistograms.serviceTime is not a readable histogram: it holds 3 samples`);
    });
  });
});
