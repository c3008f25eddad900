import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../../index.js';
import { AnyLoopbackPort } from '../../bench/fixtures/loopback-allowlist.js';
import { startTruthProxy } from '../../bench/fixtures/truth-proxies.js';
import { decodeHistogram } from '../../reports/histogram-codec.js';
import type { Report, Stats } from '../../reports/schema.js';
import type { Scenario } from '../../core/scenario.js';
import { formatRunSummary } from '../../reports/writers/console-summary.js';
import { startUnstampingHttpProxy } from '../fixtures/faulty-proxies.js';

/** Whatever the current test listens on; closed after each test. */
let proxy: { readonly port: number; close(): Promise<void> } | undefined;

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

/** The proxy's known fixed delay, and the origin's own service time: 5 ms plus 0–60 ms at random. */
const PROXY_DELAY_MS = 20;
const ORIGIN_DELAY_MS = 5;
const ORIGIN_JITTER_MS = 60;

/** One kind through an HTTP forward proxy to an origin whose service time varies request by request. */
const jitteryOrigin: Scenario = {
  name: 'jittery-origin',
  description: 'GET 1 KiB from an origin that takes 5–65 ms, through an HTTP forward proxy',
  mix: [{
    name: 'jittery',
    weight: 1,
    protocol: 'http-forward',
    origin: 'http',
    operation: { op: 'delay', delayMs: ORIGIN_DELAY_MS, jitterMs: ORIGIN_JITTER_MS, bytes: 1024 },
  }],
  defaults: { durationMs: 3000, warmupMs: 300, concurrency: 4 },
};

const PERCENTILES = ['p50', 'p90', 'p99'] as const;

/** p50 − p10 of an encoded histogram (µs), in ms: how wide the lower half of a distribution is. */
function lowerHalfSpreadMs(encoded: string): number {
  const histogram = decodeHistogram(encoded);
  const spreadUs = histogram.getValueAtPercentile(50) - histogram.getValueAtPercentile(10);
  histogram.destroy();
  return spreadUs / 1000;
}

function baselineOf(report: Report, kind: string): { proxied: Stats; direct: Stats } {
  return { proxied: report.byKind[kind]!, direct: report.directBaseline!.byKind[kind]! };
}

describe('the proxy overhead against going direct, with the origin own time subtracted', () => {
  it('lands on the proxy known delay where the origin service time varies by a whole 60 ms', async () => {
    // The truth proxy runs in its own process and holds each request 20 ms to ~0.1 ms.
    proxy = await startTruthProxy({ mode: 'delay', delayMs: PROXY_DELAY_MS });
    const report = await run({ scenario: jitteryOrigin, proxies: [`http://127.0.0.1:${proxy.port}`], workers: 1, directBaseline: true });
    const { proxied, direct } = baselineOf(report, 'jittery');
    const overhead = report.directBaseline!.overheadByKind.jittery!;
    expect(proxied.successRate).toBe(1);
    expect(direct.successRate).toBe(1);
    // Every success on both sides carried the origin's server-timing.
    expect(proxied.latencyMinusOriginMs?.count).toBe(proxied.successes);
    expect(direct.latencyMinusOriginMs?.count).toBe(direct.successes);
    expect(overhead.basis).toBe('minus-origin');

    // The origin's variance is in the latency (uniform over 60 ms: p50 − p10 ≈ 24 ms) and gone once
    // each request's own origin time is taken off, leaving the proxy's delay, the loopback hops and
    // scheduling noise. The lower half is compared: a neighbour test hogging a core of the 2-core VM
    // stretches the tail of both (0.3–4 ms against 23–28 ms seen, with and without such a neighbour).
    for (const side of [proxied, direct]) {
      const latency = lowerHalfSpreadMs(side.histogram);
      expect(latency).toBeGreaterThan(15);
      expect(lowerHalfSpreadMs(side.phaseHistograms.latencyMinusOrigin!)).toBeLessThan(latency / 3);
    }

    // The added latency: the 20 ms delay plus the proxy's own hop (1–2 ms through the reference
    // proxy's process at the median; 20.8–24.7 ms seen at p50 and 21–35.5 ms at p90, the higher
    // ones with a neighbour hogging a core). The p99 of ~200 requests is their second worst, on
    // either side: it was 19.5–98 ms, so only its presence is checked.
    expect(overhead.latencyAddedMs.p50).toBeGreaterThan(PROXY_DELAY_MS - 1);
    expect(overhead.latencyAddedMs.p50).toBeLessThan(PROXY_DELAY_MS + 10);
    expect(overhead.latencyAddedMs.p90).toBeGreaterThan(PROXY_DELAY_MS - 2);
    expect(overhead.latencyAddedMs.p90).toBeLessThan(PROXY_DELAY_MS + 30);
    expect(Number.isFinite(overhead.latencyAddedMs.p99)).toBe(true);
    // The plain difference is kept beside it, as the report's own percentiles give it.
    for (const p of PERCENTILES) {
      expect(overhead.latencyAddedGrossMs![p]).toBeCloseTo(proxied.latencyMs[p] - direct.latencyMs[p], 3);
    }
    expect(formatRunSummary(report)).toMatch(/^ {2}jittery \+[\d.]+\/\+[\d.]+\/\+[\d.]+ \(origin time subtracted; gross [-+][\d.]+\/[-+][\d.]+\/[-+][\d.]+\)/m);
  });

  it('subtracts it through a SOCKS5 tunnel too, where the header arrives untouched', async () => {
    const report = await run({ scenario: 'socks5-http', concurrency: 2, workers: 1, durationMs: 1000, warmupMs: 200, directBaseline: true });
    const { proxied, direct } = baselineOf(report, 'get-1k');
    expect(proxied.latencyMinusOriginMs?.count).toBe(proxied.successes);
    expect(direct.latencyMinusOriginMs?.count).toBe(direct.successes);
    expect(proxied.successes).toBeGreaterThan(0);
    const overhead = report.directBaseline!.overheadByKind['get-1k']!;
    expect(overhead.basis).toBe('minus-origin');
    // The embedded SOCKS5 proxy adds no delay of its own: a small, non-negative cost at the median.
    expect(overhead.latencyAddedMs.p50).toBeGreaterThan(-0.5);
    expect(overhead.latencyAddedMs.p50).toBeLessThan(10);
  });

  it('falls back to the plain latency difference through a proxy that drops the header', async () => {
    proxy = await startUnstampingHttpProxy({ allow: new AnyLoopbackPort() });
    const report = await run({
      scenario: jitteryOrigin, proxies: [`http://127.0.0.1:${proxy.port}`], workers: 1, durationMs: 1500, warmupMs: 200, directBaseline: true,
    });
    const { proxied, direct } = baselineOf(report, 'jittery');
    expect(proxied.successRate).toBe(1);
    expect(proxied.latencyMinusOriginMs?.count).toBe(0);
    // Going direct the origin's header still arrives: the fallback is for want of the proxied side.
    expect(direct.latencyMinusOriginMs?.count).toBe(direct.successes);
    const overhead = report.directBaseline!.overheadByKind.jittery!;
    expect(overhead.basis).toBe('latency');
    expect(overhead.latencyAddedMs).toEqual(overhead.latencyAddedGrossMs);
    for (const p of PERCENTILES) expect(overhead.latencyAddedMs[p]).toBeCloseTo(proxied.latencyMs[p] - direct.latencyMs[p], 3);
    expect(formatRunSummary(report)).toMatch(/^ {2}jittery [-+][\d.]+\/[-+][\d.]+\/[-+][\d.]+ \(latency difference\)/m);
  });
});
