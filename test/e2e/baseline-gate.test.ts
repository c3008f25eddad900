import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../reports/schema.js';
import { startDelayingHttpProxy, type FaultyProxy } from '../fixtures/faulty-proxies.js';
import { AnyLoopbackPort } from '../../bench/fixtures/loopback-allowlist.js';
import { runCli, tempDir } from '../support/cli.js';

const SHORT = ['--duration', '3s', '--warmup', '500ms', '--concurrency', '4', '--workers', '1'];
let dir: string;
let slow: FaultyProxy;

beforeAll(async () => {
  dir = await tempDir();
  slow = await startDelayingHttpProxy({ allow: new AnyLoopbackPort(), delayMs: 20 });
  const base = await runCli(['run', 'http-get', ...SHORT, '--out', join(dir, 'base.json'), '--quiet']);
  expect(base.code, base.stderr).toBe(0);
});

afterAll(async () => {
  await slow.close();
});

describe('run --baseline and absolute thresholds gate a CI job', () => {
  it('exits 1 and names the regression when the proxy got 20 ms slower', async () => {
    const result = await runCli(['run', 'http-get', ...SHORT, '--proxy', `http://127.0.0.1:${slow.port}`, '--baseline', join(dir, 'base.json'), '--out', join(dir, 'slow.json'), '--md', join(dir, 'slow.md'), '--junit', join(dir, 'slow.xml')]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/p50[^\n]*regression/);
    const md = await readFile(join(dir, 'slow.md'), 'utf8');
    expect(md).toMatch(/regression/);
    const junit = await readFile(join(dir, 'slow.xml'), 'utf8');
    expect(junit).toMatch(/<failure[^>]*>/);
  });

  it('exits 0 against itself with thresholds that hold, and lists them in the report', async () => {
    const out = join(dir, 'again.json');
    // Two 3 s runs on a shared 2-core machine differ by more than the default tolerances, by as much
    // as the machine's load says; this test is about the wiring (verdict → exit 0), so each timing
    // tolerance is wider than its metric can move at all: a latency ends within the request's limits
    // (seconds, not an hour), a rate cannot fall by more than all of it, a process tree cannot use
    // ten times every core, nor every core for the whole run over one request. Noise rules are
    // unit-tested in test/reports/compare.test.ts.
    const cores = availableParallelism();
    const latencies = ['p50', 'p95', 'p99', 'max'].map((p) => `${p}:+3600s`);
    const cpu = [`sut.cpuPercentMean:+${10 * cores * 100}`, `sut.cpuMsPer1kRequests:+${10 * cores * 3000 * 1000}ms`];
    const wide = [...latencies, 'rps:-100%', 'throughputMbps:-100%', ...cpu, 'sut.rssPeakMiB:+100%']
      .flatMap((t) => ['--threshold', t]);
    // An absolute latency gate that holds on any machine: a request through a proxy takes time.
    const result = await runCli(['run', 'http-get', ...SHORT, '--baseline', join(dir, 'base.json'), ...wide, '--threshold', 'successRate>=0.99', '--threshold', 'p99>0ms', '--out', out]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    expect(report.thresholds.map((t) => [t.expression, t.passed])).toEqual([['successRate>=0.99', true], ['p99>0ms', true]]);
  });

  it('exits 1 when an absolute threshold fails, with the measured value in the report', async () => {
    const out = join(dir, 'gate.json');
    const result = await runCli(['run', 'http-get', ...SHORT, '--proxy', `http://127.0.0.1:${slow.port}`, '--threshold', 'p50<5ms', '--out', out]);
    expect(result.code).toBe(1);
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    expect(report.thresholds[0]).toMatchObject({ expression: 'p50<5ms', passed: false });
    expect(report.thresholds[0]!.value).toBeGreaterThan(20);
  });

  it('refuses a tolerance without a baseline as a usage error', async () => {
    const result = await runCli(['run', 'http-get', '--threshold', 'p99:+5%']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('--baseline');
  });
});
