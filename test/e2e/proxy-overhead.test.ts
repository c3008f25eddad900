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
    kind: 'jittery',
    weight: 1,
    protocol: 'http-forward',
    origin: 'http',
    operation: { op: 'delay', delayMs: ORIGIN_DELAY_MS, jitterMs: ORIGIN_JITTER_MS, bytes: 1024 },
  }],
  defaults: { durationMs: 3000, warmupMs: 300, concurrency: 4 },
};

const PERCENTILES = ['p50', 'p90', 'p99'] as const;

function baselineOf(report: Report, kind: string): { proxied: Stats; direct: Stats } {
  return { proxied: report.byKind[kind]!, direct: report.directBaseline!.byKind[kind]! };
}

describe('the proxy overhead against going direct, with the origin own time subtracted', () => {
  it('takes each request own origin time off both sides where the origin service time varies by a whole 60 ms', async () => {
    // The truth proxy runs in its own process and holds each request 20 ms to ~0.1 ms. How close the
    // figure lands on the 20 ms, and how much of the origin's variance it sheds, are timings of a
    // shared machine: bench/truth.ts prints them (its "origin 5–65 ms" row). Here: the figure's
    // basis and arithmetic, and bounds that hold request by request.
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

    for (const side of [proxied, direct]) {
      const net = side.latencyMinusOriginMs!;
      // The origin waited at least its 5 ms on every request, inside the request's latency: with
      // each request's own time taken off, every percentile is that much below the latency's
      // (0.2 % for the two histograms' 3 significant digits, 2 µs for rounding). Not taken off, it
      // would not be.
      for (const p of PERCENTILES) expect(net[p]).toBeLessThanOrEqual(side.latencyMs[p] - ORIGIN_DELAY_MS + side.latencyMs[p] * 0.002 + 0.002);
    }
    // Through the proxy, every request also waited its 20 ms outside the origin's own time (1 ms for
    // the timer's granularity): taking another request's origin time off (up to 65 ms) would bring
    // those paired with a slower one below it.
    expect(decodeHistogram(proxied.phaseHistograms.latencyMinusOrigin!).minNonZeroValue / 1000).toBeGreaterThanOrEqual(PROXY_DELAY_MS - 1);

    // The added latency is the difference of the two sides' origin-subtracted percentiles, each there
    // and finite; the plain difference is kept beside it, as the report's own percentiles give it.
    for (const p of PERCENTILES) {
      expect(Number.isFinite(overhead.latencyAddedMs[p])).toBe(true);
      expect(overhead.latencyAddedMs[p]).toBeCloseTo(proxied.latencyMinusOriginMs![p] - direct.latencyMinusOriginMs![p], 3);
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
    // The figure is the origin-subtracted one, not the plain difference, and it is a number. (How
    // small the embedded proxy's cost is would be a timing of this machine.)
    for (const p of PERCENTILES) {
      expect(Number.isFinite(overhead.latencyAddedMs[p])).toBe(true);
      expect(overhead.latencyAddedMs[p]).toBeCloseTo(proxied.latencyMinusOriginMs![p] - direct.latencyMinusOriginMs![p], 3);
    }
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
