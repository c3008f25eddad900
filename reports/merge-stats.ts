import { addEncoded, createHistogram, encodeHistogram, summarize } from './histogram-codec.js';
import type { SeriesPoint, SeriesStats, Stats } from './schema.js';
import { addCounters, addStatsHistograms, buildStats, countersOf, emptyCounters, emptyHistograms } from './stats.js';

/**
 * The additive parts of a merge: Stats blocks and per-second series. Counters sum and histograms
 * add (autocannon's rule: never average percentiles), and the Stats block is rebuilt by
 * reports/stats.ts exactly as a run builds it, so merged percentiles equal those of one histogram
 * of all samples.
 */

/** Merges Stats blocks covering `measuredMs` of wall-clock time together. */
export function mergeStats(blocks: readonly Stats[], measuredMs: number): Stats {
  const counters = emptyCounters();
  const histograms = emptyHistograms();
  try {
    for (const block of blocks) {
      addCounters(counters, countersOf(block));
      addStatsHistograms(histograms, block);
    }
    return buildStats(counters, histograms, measuredMs);
  } finally {
    for (const histogram of Object.values(histograms)) histogram.destroy();
  }
}

/** Merges `Record<key, Stats>` maps (byKind, byProtocol): union of keys, each key merged. */
export function mergeStatsRecords<K extends string>(
  records: readonly Readonly<Partial<Record<K, Stats>>>[],
  measuredMs: number,
): Partial<Record<K, Stats>> {
  const grouped = new Map<K, Stats[]>();
  for (const record of records) {
    for (const [key, stats] of Object.entries(record) as [K, Stats | undefined][]) {
      if (stats) grouped.set(key, [...(grouped.get(key) ?? []), stats]);
    }
  }
  const merged: Partial<Record<K, Stats>> = {};
  for (const [key, blocks] of grouped) {
    // A kind's verification (byKind only) is its kind's, not a figure: kept, not merged. Reports
    // written before it existed have none, and their merge has none either.
    const verification = blocks.find((b) => b.verification !== undefined)?.verification;
    const stats = mergeStats(blocks, measuredMs);
    merged[key] = verification !== undefined ? { ...stats, verification } : stats;
  }
  return merged;
}

/** Merges the figures of one second from several shards. */
function mergeSecond(seconds: readonly SeriesStats[]): SeriesStats {
  const histogram = createHistogram();
  const errors: Record<string, number> = {};
  let requests = 0, successes = 0, failures = 0, rps = 0, bytesIn = 0, inFlight = 0;
  for (const s of seconds) {
    requests += s.requests;
    successes += s.successes;
    failures += s.failures;
    // Shards run side by side, so their rates within the same second add up.
    rps += s.rps;
    bytesIn += s.bytesIn;
    inFlight += s.inFlight;
    for (const [cause, n] of Object.entries(s.errors)) errors[cause] = (errors[cause] ?? 0) + n;
    addEncoded(histogram, s.histogram);
  }
  const summary = summarize(histogram);
  const encoded = encodeHistogram(histogram);
  histogram.destroy();
  return {
    requests, successes, failures, errors: errors as SeriesStats['errors'], rps: Math.round(rps * 100) / 100,
    bytesIn, p50: summary.p50, p99: summary.p99, inFlight, histogram: encoded,
  };
}

/** Aligns series on their wall-clock second `t` and merges each second (totals and every kind). */
export function mergeSeries(seriesList: readonly (readonly SeriesPoint[])[]): SeriesPoint[] {
  const byT = new Map<number, SeriesPoint[]>();
  for (const series of seriesList) for (const point of series) byT.set(point.t, [...(byT.get(point.t) ?? []), point]);
  return [...byT.keys()]
    .sort((a, b) => a - b)
    .map((t) => {
      const points = byT.get(t) ?? [];
      const kinds = new Set(points.flatMap((p) => Object.keys(p.byKind)));
      const byKind: Record<string, SeriesStats> = {};
      for (const kind of kinds) {
        byKind[kind] = mergeSecond(points.flatMap((p) => (p.byKind[kind] ? [p.byKind[kind]] : [])));
      }
      return { t, totals: mergeSecond(points.map((p) => p.totals)), byKind };
    });
}
