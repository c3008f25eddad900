import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../../index.js';
import type { Report } from '../../reports/schema.js';
import { startDelayingHttpProxy, startStallingProxy, type FaultyProxy } from '../fixtures/faulty-proxies.js';
import { AnyLoopbackPort } from '../../bench/fixtures/loopback-allowlist.js';
import { startStallOnceProxy } from '../../bench/fixtures/stall-once-proxy.js';

let proxy: FaultyProxy | undefined;

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

const url = (p: FaultyProxy): string => `http://127.0.0.1:${p.port}`;

describe('latency under a constant arrival rate is measured from the intended start', () => {
  it('shows a 1 s stall in latencyMs while serviceTimeMs stays small (coordinated omission corrected)', async () => {
    proxy = await startStallOnceProxy({ allow: new AnyLoopbackPort(), stallAtMs: 1500, stallMs: 1000 });
    // 200 req/s with at most 4 in flight, like wrk2's few connections: requests due during the stall
    // wait for a slot and are sent late; their latency counts from when they were due.
    const report = await run({ scenario: 'http-get', proxies: [url(proxy)], rate: 200, maxInFlight: 4, workers: 1, durationMs: 4000, warmupMs: 500 });
    const t = report.totals;
    expect(report.load.model).toBe('open');
    expect(t.successRate).toBe(1);
    expect(t.late).toBeGreaterThan(50);
    expect(t.latencyMs.p99).toBeGreaterThan(500);
    expect(t.latencyMs.max).toBeGreaterThan(800);
    // Only the handful of requests caught in flight by the stall took long to serve.
    expect(t.serviceTimeMs.p99).toBeLessThan(100);
    expect(t.serviceTimeMs.max).toBeGreaterThan(800);
    expect(report.warnings.map((w) => w.code)).toContain('schedule_not_kept');
  });

  it('keeps latency and service time equal for an undisturbed closed-model run', async () => {
    const report = await run({ scenario: 'http-get', concurrency: 4, workers: 1, durationMs: 1500, warmupMs: 300 });
    expect(report.totals.latencyMs).toEqual(report.totals.serviceTimeMs);
  });
});

describe('the report adds up', () => {
  it('has a per-second series of consecutive seconds whose sums equal the totals', async () => {
    const report = await run({ scenario: 'http-mixed', concurrency: 8, workers: 2, durationMs: 3000, warmupMs: 500 });
    const seconds = report.series.map((p) => p.t);
    expect(seconds.length).toBeGreaterThanOrEqual(3);
    seconds.forEach((t, i) => i > 0 && expect(t).toBe(seconds[i - 1]! + 1));
    const sum = (f: (p: Report['series'][number]) => number): number => report.series.reduce((n, p) => n + f(p), 0);
    expect(sum((p) => p.totals.requests)).toBe(report.totals.requests);
    expect(sum((p) => p.totals.successes)).toBe(report.totals.successes);
    expect(sum((p) => p.totals.bytesIn)).toBe(report.totals.bytesIn);
    for (const kind of Object.keys(report.byKind)) {
      expect(sum((p) => p.byKind[kind]?.requests ?? 0)).toBe(report.byKind[kind]!.requests);
    }
  });

  it('gives the direct baseline and the proxy-added latency per kind when asked', async () => {
    proxy = await startDelayingHttpProxy({ allow: new AnyLoopbackPort(), delayMs: 30 });
    const report = await run({ scenario: 'http-get', proxies: [url(proxy)], concurrency: 2, workers: 1, durationMs: 2000, warmupMs: 300, directBaseline: true });
    const direct = report.directBaseline!.byKind['get-1k']!;
    expect(direct.requests).toBeGreaterThan(0);
    expect(direct.successRate).toBe(1);
    const added = report.directBaseline!.overheadByKind['get-1k']!;
    // The fixture adds 30 ms before forwarding each request.
    expect(added.latencyAddedMs.p50).toBeGreaterThan(25);
    expect(added.latencyAddedMs.p50).toBeLessThan(60);
    expect(added.throughputRatio).toBeLessThan(0.5);
  });
});

describe('each timeout has its own cause', () => {
  it.each([
    ['https-connect', 'accept-no-reply', 'timeout_handshake'],
    ['https-connect', 'connect-no-reply', 'timeout_handshake'],
    ['http-get', 'accept-no-reply', 'timeout_ttfb'],
  ] as const)('%s through a proxy stalling at %s fails with %s', async (scenario, phase, cause) => {
    proxy = await startStallingProxy({ phase });
    const report = await run({ scenario, proxies: [url(proxy)], concurrency: 2, workers: 1, durationMs: 1500, warmupMs: 0, timeouts: { handshakeMs: 200, ttfbMs: 200 } });
    expect(report.totals.requests).toBeGreaterThan(0);
    expect(report.totals.errors).toEqual({ [cause]: report.totals.requests });
  });

  it('a body that stops mid-way is timeout_idle', async () => {
    proxy = await startStallingProxy({ phase: 'headers-then-stall', allow: new AnyLoopbackPort() });
    const report = await run({ scenario: 'http-get', proxies: [url(proxy)], concurrency: 2, workers: 1, durationMs: 1500, warmupMs: 0, timeouts: { idleMs: 200 } });
    expect(report.totals.errors).toEqual({ timeout_idle: report.totals.requests });
  });

  it('a request slower than --timeout as a whole is timeout_total', async () => {
    proxy = await startDelayingHttpProxy({ allow: new AnyLoopbackPort(), delayMs: 400 });
    const report = await run({ scenario: 'http-get', proxies: [url(proxy)], concurrency: 2, workers: 1, durationMs: 1500, warmupMs: 0, timeouts: { totalMs: 150, ttfbMs: 5000 } });
    expect(report.totals.errors).toEqual({ timeout_total: report.totals.requests });
  });
});

describe('the harness says when it was the bottleneck', () => {
  it('warns when deliberately overloaded (an open-model rate one worker cannot start)', async () => {
    const report = await run({ scenario: 'direct-get', rate: 200_000, maxInFlight: 64, workers: 1, durationMs: 2000, warmupMs: 0 });
    expect(report.harness.saturated).toBe(true);
    expect(report.warnings.map((w) => w.code)).toContain('harness_saturated');
  });

  it('stays silent on a healthy run where the proxy sets the pace', async () => {
    proxy = await startDelayingHttpProxy({ allow: new AnyLoopbackPort(), delayMs: 20 });
    const report = await run({ scenario: 'http-get', proxies: [url(proxy)], concurrency: 2, workers: 1, durationMs: 2000, warmupMs: 300 });
    expect(report.totals.successRate).toBe(1);
    expect(report.harness.saturated).toBe(false);
    expect(report.warnings.map((w) => w.code)).not.toContain('harness_saturated');
  });
});
