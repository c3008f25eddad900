import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../../index.js';
import { AnyLoopbackPort } from '../../bench/fixtures/loopback-allowlist.js';
import { startCorruptingHttpProxy, startRefusingHttpProxy, startTruncatingHttpProxy, type FaultyProxy } from '../fixtures/faulty-proxies.js';

const SHORT = { durationMs: 1500, warmupMs: 0, concurrency: 4, workers: 1 } as const;
let proxy: FaultyProxy | undefined;

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

describe('run() classifies a misbehaving proxy by cause', () => {
  it('counts every corrupted body as an integrity failure, and only those', async () => {
    proxy = await startCorruptingHttpProxy({ allow: new AnyLoopbackPort(), every: 4 });
    const report = await run({ scenario: 'http-get', proxies: [`http://127.0.0.1:${proxy.port}`], ...SHORT });
    const t = report.totals;
    expect(t.requests).toBeGreaterThan(40);
    expect(t.errors.integrity).toBe(t.failures);
    // One body in four is corrupted (counted over warm-up-free requests, so within one of a quarter).
    expect(Math.abs(t.failures - t.requests / 4)).toBeLessThanOrEqual(2);
    expect(t.successes + t.failures).toBe(t.requests);
  });

  it('reports a body cut short by the proxy as a failure, never a success', async () => {
    proxy = await startTruncatingHttpProxy({ allow: new AnyLoopbackPort() });
    const report = await run({ scenario: 'http-get', proxies: [`http://127.0.0.1:${proxy.port}`], ...SHORT });
    expect(report.totals.successes).toBe(0);
    // The connection closes before Content-Length is reached: undici sees a reset mid-body.
    expect((report.totals.errors.reset ?? 0) + (report.totals.errors.integrity ?? 0)).toBe(report.totals.requests);
  });

  it.each([502, 403, 503])('reports a proxy answering %i itself as proxy_refused, for forward and CONNECT', async (status) => {
    proxy = await startRefusingHttpProxy({ status });
    const report = await run({ scenario: 'http-mixed', proxies: [`http://127.0.0.1:${proxy.port}`], ...SHORT });
    expect(report.totals.requests).toBeGreaterThan(0);
    expect(report.totals.errors).toEqual({ proxy_refused: report.totals.requests });
    expect(report.byKind['https-get-1k']!.errors.proxy_refused).toBe(report.byKind['https-get-1k']!.requests);
    expect(report.warnings.map((w) => w.code)).toContain('all_failed');
  });

  it('reports a 407 answered by the proxy as proxy_auth', async () => {
    proxy = await startRefusingHttpProxy({ status: 407 });
    const report = await run({ scenario: 'http-get', proxies: [`http://127.0.0.1:${proxy.port}`], ...SHORT });
    expect(report.totals.errors).toEqual({ proxy_auth: report.totals.requests });
  });
});
