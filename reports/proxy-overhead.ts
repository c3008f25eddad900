import type { AddedLatencyMs, LatencySummary, ProxyOverhead, Stats } from './schema.js';

/**
 * The proxy's added cost for one request kind, from its proxied and direct Stats blocks: the one
 * rule a run and a merge of shards both apply, so a merged report's overhead is what one run of
 * all the shards' requests would have reported.
 */

/** When the origin-subtracted figures are used (see {@link proxyOverhead}). */
export const OVERHEAD_DEFAULTS = {
  /**
   * Least share of a side's successes whose response carried the origin's service time. Below it
   * the minus-origin histogram describes a different set of requests from the latency one (say,
   * only the origin's fast answers), so the plain difference is the honest figure.
   */
  minStampedShare: 0.99,
} as const;

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function added(proxied: LatencySummary, direct: LatencySummary): AddedLatencyMs {
  return { p50: round3(proxied.p50 - direct.p50), p90: round3(proxied.p90 - direct.p90), p99: round3(proxied.p99 - direct.p99) };
}

/** The origin-subtracted summary of a side, when (nearly) every success carried the origin's stamp. */
function minusOrigin(stats: Stats): LatencySummary | undefined {
  const summary = stats.latencyMinusOriginMs;
  if (summary === undefined || stats.successes === 0) return undefined;
  return summary.count >= stats.successes * OVERHEAD_DEFAULTS.minStampedShare ? summary : undefined;
}

/**
 * Proxied against direct for one kind. `latencyAddedMs` is taken on the `minus-origin` basis when
 * both sides have the origin's service time on at least {@link OVERHEAD_DEFAULTS.minStampedShare}
 * of their successes, else on the plain `latency` basis; `latencyAddedGrossMs` is always the plain
 * difference of the latency percentiles.
 */
export function proxyOverhead(proxied: Stats, direct: Stats): ProxyOverhead {
  const gross = added(proxied.latencyMs, direct.latencyMs);
  const proxiedNet = minusOrigin(proxied);
  const directNet = minusOrigin(direct);
  const net = proxiedNet && directNet ? added(proxiedNet, directNet) : undefined;
  return {
    latencyAddedMs: net ?? gross,
    basis: net ? 'minus-origin' : 'latency',
    latencyAddedGrossMs: gross,
    throughputRatio: direct.rps > 0 ? round3(proxied.rps / direct.rps) : 0,
  };
}

/** {@link proxyOverhead} of every kind that has both a proxied and a direct Stats block. */
export function overheadByKind(proxied: Readonly<Record<string, Stats>>, direct: Readonly<Record<string, Stats>>): Record<string, ProxyOverhead> {
  const out: Record<string, ProxyOverhead> = {};
  for (const [kind, stats] of Object.entries(proxied)) {
    const d = direct[kind];
    if (d) out[kind] = proxyOverhead(stats, d);
  }
  return out;
}
