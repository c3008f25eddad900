import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Report } from '../../reports/schema.js';
import { startFlakyHttpProxy, type FaultyProxy } from '../fixtures/faulty-proxies.js';
import { AnyLoopbackPort } from '../../bench/fixtures/loopback-allowlist.js';
import { runCli, tempDir } from '../support/cli.js';

let proxy: FaultyProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

describe('requests dropped during backoffs (open model)', () => {
  it('count against successRate, and schedule_not_kept blames the proxy\'s failures, not the harness\'s timers', async () => {
    // Every 2nd request is refused; each refusal starts a 100 ms backoff (no jitter) that covers
    // ~20 slots of a 200 req/s schedule: those requests are dropped, never sent.
    proxy = await startFlakyHttpProxy({ allow: new AnyLoopbackPort(), rejectEvery: 2 });
    const out = join(await tempDir(), 'r.json');
    const result = await runCli([
      'run', 'http-get', '--proxy', `http://127.0.0.1:${proxy.port}`, '--rate', '200', '--duration', '2s', '--warmup', '0s', '--workers', '1',
      '--backoff-initial', '100ms', '--backoff-max', '100ms', '--backoff-jitter', '0', '--out', out,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    const t = report.totals;
    console.log(`requests ${t.requests}, successes ${t.successes}, dropped ${t.dropped}, backoffs ${t.backoffs}, successRate ${t.successRate}`);
    expect(t.failures).toBeGreaterThan(0);
    expect(t.dropped).toBeGreaterThan(0);
    // Successes over what the load offered: sent plus dropped.
    expect(t.successRate).toBeCloseTo(t.successes / (t.requests + t.dropped), 6);
    expect(t.successRate).toBeLessThan(t.successes / t.requests);
    const kind = report.byKind['get-1k']!;
    expect(kind.successRate).toBeCloseTo(kind.successes / (kind.requests + kind.dropped), 6);
    const warning = report.warnings.find((w) => w.code === 'schedule_not_kept');
    expect(warning?.message).toMatch(/the proxy's failures made the harness back off: \d+ requests fell due during a backoff and were dropped/);
    expect(warning?.message).not.toMatch(/timers fired late/);
  });
});
