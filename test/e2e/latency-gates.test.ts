import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../reports/schema.js';
import { runCli, tempDir, type CliResult } from '../support/cli.js';

/**
 * Latency figures count successes only. A run where a third of the requests time out must not pass
 * `p99<…` on the two thirds that came back: a latency threshold at percentile p fails, with its
 * reason, when more than (100 − p) % of the requests failed (README, thresholds).
 */

// Two fast GETs for every request the origin holds 2 s, with a 300 ms whole-request timeout: about
// a third of the requests time out, every one of the `stall` kind.
const SCENARIO = {
  name: 'third-times-out',
  mix: [
    { name: 'get-1k', weight: 2, protocol: 'http-forward', operation: { op: 'download', bytes: '1KiB' } },
    { name: 'stall', weight: 1, protocol: 'http-forward', operation: { op: 'delay', delay: '2s', bytes: 64 } },
  ],
};
const LOAD = ['--duration', '3s', '--warmup', '200ms', '--concurrency', '6', '--workers', '1', '--timeout', '300ms'];

let dir = '';
let result: CliResult;
let report: Report;

beforeAll(async () => {
  dir = await tempDir();
  const scenario = join(dir, 'third-times-out.json');
  await writeFile(scenario, JSON.stringify(SCENARIO));
  const out = join(dir, 'report.json');
  // Limits far above anything the successes take: only the failed requests can fail these gates.
  const gates = ['p99<10s', 'max<10s', 'stall.p50<10s', 'serviceTime.p99<10s'].flatMap((t) => ['--threshold', t]);
  result = await runCli(['run', scenario, ...LOAD, ...gates, '--out', out]);
  report = JSON.parse(await readFile(out, 'utf8')) as Report;
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('run -t p99<… against a run where a third of the requests time out', () => {
  it('ran the load it describes: stall requests all timed out, some fast ones succeeded', () => {
    const stall = report.byKind.stall!;
    expect(stall.requests).toBeGreaterThan(0);
    expect(stall.successes).toBe(0);
    const timeouts = Object.entries(report.totals.errors).filter(([cause]) => cause.startsWith('timeout_')).reduce((n, [, count]) => n + (count ?? 0), 0);
    expect(timeouts).toBe(report.totals.failures);
    expect(report.byKind['get-1k']!.successes).toBeGreaterThan(0);
    // More than 1 % failed, so p99 of all requests would be a failed one.
    expect(report.totals.failures * 100).toBeGreaterThan(report.totals.requests);
  });

  it('exits 1 and fails every latency gate with the reason, not on the successes\' value', () => {
    expect(result.code, result.stderr).toBe(1);
    const byExpression = Object.fromEntries(report.thresholds.map((t) => [t.expression, t]));
    expect(byExpression['p99<10s']).toMatchObject({ passed: false, reason: expect.stringMatching(/^p99 not measurable: [\d.]+ % of requests failed \(> 1 %\)$/) as unknown });
    expect(byExpression['serviceTime.p99<10s']).toMatchObject({ passed: false, reason: expect.stringMatching(/^serviceTime\.p99 not measurable: [\d.]+ % of requests failed \(> 1 %\)$/) as unknown });
    expect(byExpression['max<10s']).toMatchObject({ passed: false, reason: expect.stringMatching(/^max not measurable: [\d.]+ % of requests failed \(> 0 %\)$/) as unknown });
    expect(byExpression['stall.p50<10s']).toMatchObject({ passed: false, reason: 'stall.p50 not measurable: 100 % of requests failed (> 50 %)' });
  });

  it('prints the reason on the threshold line', () => {
    expect(result.stdout).toMatch(/threshold ✗ FAIL {2}p99<10s {2}\(p99 = [\d.]+ ms; p99 not measurable: [\d.]+ % of requests failed \(> 1 %\)\)/);
  });
});
