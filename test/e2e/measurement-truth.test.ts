import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../../index.js';
import { decodeHistogram } from '../../reports/histogram-codec.js';
import type { Report } from '../../reports/schema.js';
import { startDelayingHttpProxy, startStallingProxy, type FaultyProxy } from '../fixtures/faulty-proxies.js';
import { startHttpProxy } from '../../mock-targets/proxies/http-proxy.js';
import { AnyLoopbackPort } from '../../bench/fixtures/loopback-allowlist.js';
import { startStallOnceProxy } from '../../bench/fixtures/stall-once-proxy.js';
import { WARNING_LIMITS } from '../../harness/report-assembly/warnings.js';
import { startSilentTunnelProxy } from '../fixtures/silent-tunnel-proxy.js';
import { startUnacceptingListener } from '../fixtures/unaccepting-listener.js';

/** Whatever the current test listens on; closed after each test. */
let proxy: Pick<FaultyProxy, 'port' | 'close'> | undefined;

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

const url = (p: Pick<FaultyProxy, 'port'>, scheme = 'http'): string => `${scheme}://127.0.0.1:${p.port}`;

describe('latency under a constant arrival rate is measured from the intended start', () => {
  it('shows a 1 s stall in latencyMs while serviceTimeMs stays small (coordinated omission corrected)', async () => {
    proxy = await startStallOnceProxy({ allow: new AnyLoopbackPort(), stallAtMs: 1500, stallMs: 1000 });
    // 200 req/s with at most 4 in flight, like wrk2's few connections: requests due during the stall
    // wait for a slot and are sent late; their latency counts from when they were due.
    const report = await run({ scenario: 'http-get', proxies: [url(proxy)], rate: 200, maxInFlight: 4, workers: 1, durationMs: 4000, warmupMs: 500 });
    const t = report.totals;
    expect(report.load.model).toBe('open');
    // Every request sent succeeded (successRate also counts requests the run ended before sending,
    // which depends on how fast this machine works off the backlog).
    expect(t.failures).toBe(0);
    expect(t.successes).toBe(t.requests);
    expect(t.late).toBeGreaterThan(50);
    // The ~100 requests due in the stall's first half (of at most ~800) waited ≥ 500 ms for it to
    // end: over a tenth of the latencies, so p90 and up are past 500 ms, whatever the machine.
    expect(t.latencyMs.p90).toBeGreaterThan(500);
    expect(t.latencyMs.max).toBeGreaterThan(800);
    // The first request to reach the stalled proxy was held about the whole second...
    expect(t.serviceTimeMs.max).toBeGreaterThan(800);
    // ...but the wait of the others shows in latency, not in service time: compared within this
    // run (an absolute bound on service time would measure the machine).
    expect(t.serviceTimeMs.p90).toBeLessThan(t.latencyMs.p90);
    expect(report.warnings.map((w) => w.code)).toContain('schedule_not_kept');
    // The requests waited for slots the stalled proxy held: the proxy's doing, named whether or not
    // this machine also saturated the harness (which depends on the machine).
    const message = report.warnings.find((w) => w.code === 'schedule_not_kept')?.message;
    expect(message).toMatch(/every in-flight slot was busy/);
    expect(message).not.toMatch(/timers fired late/);
  });

  it("times every closed-model success from its send: one sample per success, none shorter than the proxy's delay", async () => {
    const delayMs = 30;
    proxy = await startDelayingHttpProxy({ allow: new AnyLoopbackPort(), delayMs });
    const report = await run({ scenario: 'http-get', proxies: [url(proxy)], concurrency: 2, workers: 1, durationMs: 1000, warmupMs: 0 });
    const t = report.totals;
    expect(report.load.model).toBe('closed');
    expect(t.successes).toBeGreaterThan(0);
    expect(t.successes).toBe(t.requests);
    // Each success is counted once in latency, service time and ttfb.
    expect(t.latencyMs.count).toBe(t.successes);
    expect(t.serviceTimeMs.count).toBe(t.successes);
    expect(t.phasesMs.ttfb.count).toBe(t.successes);
    // The proxy waits delayMs before forwarding, so no request's ttfb or latency can be shorter
    // (1 ms for the timer's millisecond granularity). A latency timed from the wrong moment
    // (after the headers, say) would be.
    const minMs = (encoded: string): number => decodeHistogram(encoded).minNonZeroValue / 1000;
    expect(minMs(t.phaseHistograms.ttfb)).toBeGreaterThanOrEqual(delayMs - 1);
    expect(minMs(t.histogram)).toBeGreaterThanOrEqual(delayMs - 1);
    expect(minMs(t.phaseHistograms.serviceTime)).toBeGreaterThanOrEqual(delayMs - 1);
    for (const p of ['p50', 'p99', 'max'] as const) expect(t.phasesMs.ttfb[p]).toBeLessThanOrEqual(t.latencyMs[p]);
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
    // The fixture adds 30 ms before forwarding each request, and answers 503 itself once the run's
    // direct baseline has begun: a baseline that went through it would fail.
    let baselineBegan = false;
    const delaying = await startHttpProxy({ allow: new AnyLoopbackPort() }, { admit: () => (baselineBegan ? 503 : delay(30, undefined)) });
    proxy = delaying;
    const report = await run({
      scenario: 'http-get', proxies: [url(delaying)], concurrency: 2, workers: 1, durationMs: 2000, warmupMs: 300, directBaseline: true,
      onProgress: (p) => { if (p.phase === 'baseline') baselineBegan = true; },
    });
    expect(baselineBegan).toBe(true);
    const proxied = report.byKind['get-1k']!;
    const direct = report.directBaseline!.byKind['get-1k']!;
    expect(direct.requests).toBeGreaterThan(0);
    // Straight to the origin: none of the baseline's requests met the proxy's 503.
    expect(direct.successRate).toBe(1);
    // Through the proxy no request can be faster than its 30 ms (1 ms for the timer's granularity).
    expect(decodeHistogram(proxied.histogram).minNonZeroValue / 1000).toBeGreaterThanOrEqual(30 - 1);
    const added = report.directBaseline!.overheadByKind['get-1k']!;
    // The added latency and the throughput ratio are the two sides' figures put together as the
    // schema says (3 decimals). How close the one comes to 30 ms and how far below 1 the other falls
    // are timings of this machine: bench/truth.ts prints them.
    const sides = added.basis === 'minus-origin' ? [proxied.latencyMinusOriginMs!, direct.latencyMinusOriginMs!] : [proxied.latencyMs, direct.latencyMs];
    for (const p of ['p50', 'p90', 'p99'] as const) expect(added.latencyAddedMs[p]).toBeCloseTo(sides[0]![p] - sides[1]![p], 3);
    expect(added.throughputRatio).toBeCloseTo(proxied.rps / direct.rps, 2);
  });
});

describe('phase timings are present and nest inside each request', () => {
  // A new connection per request and no warm-up pair every request with exactly one setup, so
  // connect ≤ connect + handshake + TLS ≤ ttfb ≤ service time holds request by request. Percentiles
  // of different distributions need not order that way, but per-request order gives: counts equal,
  // each percentile of a part ≤ the same percentile of the whole, and the parts' means sum to at
  // most the whole's mean (0.01 ms for the summaries' rounding).
  it.each([
    ['https-connect', 'https-get-1k', true],
    ['socks5-http', 'get-1k', false],
  ] as const)('%s (%s) has a connect, a handshake and ttfb for every request, each inside the next', async (scenario, kind, tls) => {
    const report = await run({ scenario, connectionPolicy: 'new-per-request', concurrency: 2, workers: 1, durationMs: 1000, warmupMs: 0 });
    const stats = report.byKind[kind]!;
    const { connect, proxyHandshake, tls: tlsMs, ttfb } = stats.phasesMs;
    expect(stats.successRate).toBe(1);
    expect(stats.connections.opened).toBe(stats.requests);
    expect(connect.count).toBe(stats.requests);
    expect(proxyHandshake.count).toBe(stats.requests);
    expect(tlsMs.count).toBe(tls ? stats.requests : 0);
    expect(ttfb.count).toBe(stats.requests);
    expect(connect.p50).toBeGreaterThan(0);
    expect(proxyHandshake.p50).toBeGreaterThan(0);
    for (const p of ['p50', 'p90', 'p99', 'max'] as const) {
      expect(connect[p]).toBeLessThanOrEqual(ttfb[p]);
      expect(proxyHandshake[p]).toBeLessThanOrEqual(ttfb[p]);
      expect(tlsMs[p]).toBeLessThanOrEqual(ttfb[p]);
      expect(ttfb[p]).toBeLessThanOrEqual(stats.serviceTimeMs[p]);
    }
    expect(connect.mean + proxyHandshake.mean + tlsMs.mean).toBeLessThanOrEqual(ttfb.mean + 0.01);
    expect(ttfb.mean).toBeLessThanOrEqual(stats.serviceTimeMs.mean + 0.01);
  });
});

describe('each timeout has its own cause', () => {
  it.each([
    ['http-get', 'http'],
    ['socks5-http', 'socks5'],
  ] as const)('%s through a proxy whose TCP connect never completes fails with timeout_connect', async (scenario, scheme) => {
    proxy = await startUnacceptingListener();
    const report = await run({ scenario, proxies: [url(proxy, scheme)], concurrency: 2, workers: 1, durationMs: 1500, warmupMs: 0, timeouts: { connectMs: 200 } });
    expect(report.totals.requests).toBeGreaterThan(0);
    expect(report.totals.errors).toEqual({ timeout_connect: report.totals.requests });
  });

  it.each([
    ['https-connect', 'http', 'accept-no-reply', 'timeout_handshake'],
    ['https-connect', 'http', 'connect-no-reply', 'timeout_handshake'],
    ['socks5-http', 'socks5', 'accept-no-reply', 'timeout_handshake'],
    ['socks5-http', 'socks5', 'connect-no-reply', 'timeout_handshake'],
    ['http-get', 'http', 'accept-no-reply', 'timeout_ttfb'],
  ] as const)('%s through a %s:// proxy stalling at %s fails with %s', async (scenario, scheme, phase, cause) => {
    proxy = await startStallingProxy({ phase });
    const report = await run({ scenario, proxies: [url(proxy, scheme)], concurrency: 2, workers: 1, durationMs: 1500, warmupMs: 0, timeouts: { handshakeMs: 200, ttfbMs: 200 } });
    expect(report.totals.requests).toBeGreaterThan(0);
    expect(report.totals.errors).toEqual({ [cause]: report.totals.requests });
  });

  it('a TLS handshake that stalls inside an accepted CONNECT tunnel is timeout_handshake', async () => {
    proxy = await startSilentTunnelProxy();
    const report = await run({ scenario: 'https-connect', proxies: [url(proxy)], concurrency: 2, workers: 1, durationMs: 1500, warmupMs: 0, timeouts: { handshakeMs: 200, ttfbMs: 5000 } });
    expect(report.totals.requests).toBeGreaterThan(0);
    expect(report.totals.errors).toEqual({ timeout_handshake: report.totals.requests });
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
    // Hundreds of slots at 200k req/s keep the one worker starting requests without pause. The
    // missed schedule alone would also set the flag (see the stall test), so assert a figure only
    // an overloaded harness shows: its own event loop running late.
    const report = await run({ scenario: 'direct-get', rate: 200_000, maxInFlight: 512, workers: 1, durationMs: 2000, warmupMs: 0 });
    expect(report.harness.eventLoopDelayP99Ms).toBeGreaterThanOrEqual(WARNING_LIMITS.eventLoopDelayP99Ms);
    expect(report.harness.saturated).toBe(true);
    const warning = report.warnings.find((w) => w.code === 'harness_saturated');
    expect(warning?.message).toContain('event-loop delay p99');
  });

  it('on a healthy run where the proxy sets the pace, reports its own figures and calls itself the limit only as they say', async () => {
    proxy = await startDelayingHttpProxy({ allow: new AnyLoopbackPort(), delayMs: 20 });
    const report = await run({ scenario: 'http-get', proxies: [url(proxy)], concurrency: 2, workers: 1, durationMs: 2000, warmupMs: 300 });
    expect(report.totals.successRate).toBe(1);
    // The event-loop delay is a timing on a shared machine: bench/truth.ts prints it; here it must
    // be there. Whether this run saturated depends on the machine too (test/run/warnings.test.ts
    // checks the verdict on fixed figures): here the flag, the warning and the figure must agree.
    const { eventLoopDelayP99Ms, saturated } = report.harness;
    expect(Number.isFinite(eventLoopDelayP99Ms)).toBe(true);
    expect(eventLoopDelayP99Ms).toBeGreaterThanOrEqual(0);
    expect(report.harness.workers).toBe(1);
    const warning = report.warnings.find((w) => w.code === 'harness_saturated');
    expect(warning !== undefined).toBe(saturated);
    if (eventLoopDelayP99Ms >= WARNING_LIMITS.eventLoopDelayP99Ms) expect(warning?.message).toContain(`event-loop delay p99 was ${eventLoopDelayP99Ms} ms`);
    else expect(warning?.message ?? '').not.toContain('event-loop delay p99');
  });
});
