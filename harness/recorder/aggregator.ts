import { addBucketCounts } from '../../reports/histogram-codec.js';
import { addCounters, emptyCounters, emptyHistograms, HISTOGRAM_NAMES, type StatsCounters, type StatsHistograms } from '../../reports/stats.js';
import type { SeriesPoint } from '../../reports/schema.js';
import type { BatchMessage, SlotDelta } from './batch.js';
import { SeriesBuilder } from './series-builder.js';

/** Running totals for the live progress line. */
export interface ProgressSnapshot {
  readonly requests: number;
  readonly successes: number;
  readonly failures: number;
  /** Requests completed in the last complete second. */
  readonly lastSecondRps: number;
  /** p99 latency of the last complete second, ms. */
  readonly lastSecondP99Ms: number;
}

/** What the aggregator holds at the end of a run, per request kind. */
export interface AggregatedKind {
  readonly counters: StatsCounters;
  readonly histograms: StatsHistograms;
}

/**
 * The main thread's side of docs/measurement.md §9: merges workers' batches by adding histograms and counters
 * into per-kind totals and a per-second series. Memory: per kind a fixed set of histograms, plus one
 * small encoded histogram per second and kind — it grows with seconds, never with requests.
 */
export class Aggregator {
  private readonly totals: { counters: StatsCounters; histograms: StatsHistograms }[];
  /** Per proxy (its index in the run's proxy list): the same requests as the kinds', seen per proxy. */
  private readonly proxyTotals: { counters: StatsCounters; histograms: StatsHistograms }[];
  private readonly series: SeriesBuilder;

  /** @param proxyCount proxies the batches may carry figures for (0: none) */
  constructor(
    private readonly kindNames: readonly string[],
    workerCount: number,
    proxyCount = 0,
  ) {
    this.totals = kindNames.map(() => ({ counters: emptyCounters(), histograms: emptyHistograms() }));
    this.proxyTotals = Array.from({ length: proxyCount }, () => ({ counters: emptyCounters(), histograms: emptyHistograms() }));
    this.series = new SeriesBuilder(kindNames, workerCount);
  }

  /** Adds one worker batch. */
  addBatch(batch: BatchMessage): void {
    for (const delta of batch.deltas) addDelta(this.totals[delta.kindIndex], delta);
    for (const delta of batch.proxyDeltas ?? []) addDelta(this.proxyTotals[delta.proxyIndex], delta);
    this.series.addBatch(batch);
  }

  /** A worker has sent its last batch. */
  workerDone(workerIndex: number): void {
    this.series.workerDone(workerIndex);
  }

  /** Totals so far, for progress. */
  snapshot(): ProgressSnapshot {
    let requests = 0;
    let successes = 0;
    let failures = 0;
    for (const t of this.totals) {
      requests += t.counters.requests;
      successes += t.counters.successes;
      failures += t.counters.failures;
    }
    const last = this.series.lastComplete();
    return { requests, successes, failures, lastSecondRps: last?.totals.requests ?? 0, lastSecondP99Ms: last?.totals.p99 ?? 0 };
  }

  /** Per-kind totals (by name). */
  kinds(): ReadonlyMap<string, AggregatedKind> {
    return new Map(this.kindNames.map((name, i) => [name, this.totals[i]!]));
  }

  /** Per-proxy totals, by the proxy's index in the run's proxy list. */
  proxies(): readonly AggregatedKind[] {
    return this.proxyTotals;
  }

  /** Closes every open second and returns the series, oldest first. */
  finishSeries(): SeriesPoint[] {
    return this.series.finish();
  }
}

/** Adds a delta into its running total (none: a slot this aggregator does not keep). */
function addDelta(total: { counters: StatsCounters; histograms: StatsHistograms } | undefined, delta: SlotDelta): void {
  if (!total) return;
  addCounters(total.counters, delta.counters);
  for (const name of HISTOGRAM_NAMES) {
    const buckets = delta.histograms[name];
    if (buckets !== undefined) addBucketCounts(total.histograms[name], buckets);
  }
}
