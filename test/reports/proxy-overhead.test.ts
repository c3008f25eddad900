import { describe, expect, it } from 'vitest';
import { OVERHEAD_DEFAULTS, proxyOverhead } from '../../reports/proxy-overhead.js';
import type { Stats } from '../../reports/schema.js';
import { seededRandom, syntheticReport } from '../support/synthetic-report.js';

/** What the proxy adds to every request in these runs, ms. */
const PROXY_MS = 20;
const SAMPLES = 400;

/**
 * One side of a baseline run: each request's origin service time drawn uniformly from 5–45 ms
 * (a jittered /delay path), plus 0.2–0.6 ms of network, plus `addedMs` for the proxy.
 */
function side(seed: number, addedMs: number, stamped: boolean, rps = 100): Stats {
  const random = seededRandom(seed);
  const originMs = Array.from({ length: SAMPLES }, () => 5 + 40 * random());
  const latenciesMs = originMs.map((o) => o + 0.2 + 0.4 * random() + addedMs);
  const report = syntheticReport({
    kinds: { get: { latenciesMs, requestsPerSecond: [rps, rps, rps, rps], ...(stamped ? { originMs } : {}) } },
  });
  return report.byKind.get!;
}

const PERCENTILES = ['p50', 'p90', 'p99'] as const;

describe('proxyOverhead', () => {
  const proxied = side(1, PROXY_MS, true, 40);
  const direct = side(2, 0, true);

  it('subtracts each request origin time when both sides carried it, landing on the proxy delay', () => {
    const overhead = proxyOverhead(proxied, direct);
    expect(overhead.basis).toBe('minus-origin');
    for (const p of PERCENTILES) expect(Math.abs(overhead.latencyAddedMs[p] - PROXY_MS)).toBeLessThan(0.5);
  });

  it('keeps the plain difference of latency percentiles beside it, which the origin variance throws off', () => {
    const overhead = proxyOverhead(proxied, direct);
    for (const p of PERCENTILES) expect(overhead.latencyAddedGrossMs?.[p]).toBeCloseTo(proxied.latencyMs[p] - direct.latencyMs[p], 3);
    const worstError = (added: Readonly<Record<(typeof PERCENTILES)[number], number>>): number =>
      Math.max(...PERCENTILES.map((p) => Math.abs(added[p] - PROXY_MS)));
    // Two different draws of a 40 ms-wide origin: their percentiles differ by far more than the network's noise.
    expect(worstError(overhead.latencyAddedGrossMs!)).toBeGreaterThan(4 * worstError(overhead.latencyAddedMs));
  });

  it('gives the throughput ratio of the two sides', () => {
    expect(proxyOverhead(proxied, direct).throughputRatio).toBe(0.4);
  });

  const unstamped = side(3, 0, false);
  const scarce = (stats: Stats, share: number): Stats => ({
    ...stats,
    latencyMinusOriginMs: { ...stats.latencyMinusOriginMs!, count: Math.ceil(stats.successes * share) },
  });
  const { latencyMinusOriginMs: _dropped, ...writtenBeforeTheField } = direct;

  it.each([
    ['the direct side had no origin time', proxied, unstamped],
    ['the proxied side had no origin time (a proxy that drops the header)', side(4, PROXY_MS, false), direct],
    ['the proxied side had it on too few successes', scarce(proxied, OVERHEAD_DEFAULTS.minStampedShare - 0.01), direct],
    ['a side was written before the field existed', proxied, writtenBeforeTheField as Stats],
  ])('falls back to the plain difference when %s', (_name, p, d) => {
    const overhead = proxyOverhead(p, d);
    expect(overhead.basis).toBe('latency');
    expect(overhead.latencyAddedMs).toEqual(overhead.latencyAddedGrossMs);
    for (const q of PERCENTILES) expect(overhead.latencyAddedMs[q]).toBeCloseTo(p.latencyMs[q] - d.latencyMs[q], 3);
  });

  it('still subtracts when the origin time was on nearly every success', () => {
    expect(proxyOverhead(scarce(proxied, OVERHEAD_DEFAULTS.minStampedShare), direct).basis).toBe('minus-origin');
  });
});
