import { addBucketCounts, createHistogram, encodeHistogram, type Histogram } from '../../reports/histogram-codec.js';
import { addCounters, emptyCounters, type StatsCounters } from '../../reports/stats.js';
import type { SeriesPoint, SeriesStats } from '../../reports/schema.js';
import type { BatchMessage } from './batch.js';

interface OpenSecondKind {
  readonly counters: StatsCounters;
  readonly latency: Histogram;
}

interface OpenSecond {
  readonly kinds: OpenSecondKind[];
  /** In-flight per worker at its last batch in this second. */
  readonly inFlight: Map<number, number>;
}

/**
 * Builds the per-second series from batches. A second stays open (with live histograms) only until
 * every worker has moved past it; then it is closed into small encoded figures, so the live state is
 * a few seconds wide whatever the run's length.
 */
export class SeriesBuilder {
  private readonly open = new Map<number, OpenSecond>();
  private readonly closed: SeriesPoint[] = [];
  private readonly latestSecond: number[];
  private readonly done: boolean[];

  constructor(
    private readonly kindNames: readonly string[],
    workerCount: number,
  ) {
    this.latestSecond = new Array<number>(workerCount).fill(0);
    this.done = new Array<boolean>(workerCount).fill(false);
  }

  /** Adds a batch to its second. */
  addBatch(batch: BatchMessage): void {
    // Workers post seconds in order and a second closes only after every live worker has moved
    // past it, so a batch for a closed second cannot normally arrive; if a clock step makes one,
    // it counts toward the next open second rather than reopening history.
    const lastClosed = this.closed[this.closed.length - 1]?.t ?? -Infinity;
    const t = batch.second <= lastClosed ? lastClosed + 1 : batch.second;
    this.latestSecond[batch.workerIndex] = Math.max(this.latestSecond[batch.workerIndex] ?? 0, t);
    // Heartbeats and warm-up setup samples move the worker on but open no second of the series.
    if (!batch.deltas.some((d) => d.counters.requests > 0)) {
      this.closeCompleteSeconds();
      return;
    }
    let second = this.open.get(t);
    if (!second) {
      second = this.newSecond();
      this.open.set(t, second);
    }
    for (const delta of batch.deltas) {
      const kind = second.kinds[delta.kindIndex];
      if (!kind) continue;
      addCounters(kind.counters, delta.counters);
      if (delta.histograms.latency !== undefined) addBucketCounts(kind.latency, delta.histograms.latency);
    }
    second.inFlight.set(batch.workerIndex, batch.inFlight);
    this.closeCompleteSeconds();
  }

  /** A worker will send no more batches. */
  workerDone(workerIndex: number): void {
    this.done[workerIndex] = true;
    this.closeCompleteSeconds();
  }

  /** The most recently closed second. */
  lastComplete(): SeriesPoint | undefined {
    return this.closed[this.closed.length - 1];
  }

  /** Closes every second and returns the whole series. */
  finish(): SeriesPoint[] {
    for (const t of [...this.open.keys()].sort((a, b) => a - b)) this.close(t);
    return this.closed;
  }

  private newSecond(): OpenSecond {
    return { kinds: this.kindNames.map(() => ({ counters: emptyCounters(), latency: createHistogram() })), inFlight: new Map() };
  }

  private closeCompleteSeconds(): void {
    let horizon = Infinity;
    this.latestSecond.forEach((s, i) => {
      if (!this.done[i]) horizon = Math.min(horizon, s);
    });
    // Every live worker has posted a batch for a later second: earlier seconds get no more samples.
    for (const t of [...this.open.keys()].sort((a, b) => a - b)) {
      if (t < horizon) this.close(t);
    }
  }

  private close(t: number): void {
    const second = this.open.get(t);
    if (!second) return;
    this.open.delete(t);
    const totalCounters = emptyCounters();
    const totalLatency = createHistogram();
    const byKind: Record<string, SeriesStats> = {};
    let inFlight = 0;
    for (const n of second.inFlight.values()) inFlight += n;
    second.kinds.forEach((kind, i) => {
      addCounters(totalCounters, kind.counters);
      totalLatency.add(kind.latency);
      if (kind.counters.requests > 0) byKind[this.kindNames[i]!] = seriesStats(kind.counters, kind.latency, undefined);
      kind.latency.destroy();
    });
    this.closed.push({ t, totals: seriesStats(totalCounters, totalLatency, inFlight), byKind });
    totalLatency.destroy();
  }
}

function seriesStats(counters: StatsCounters, latency: Histogram, inFlight: number | undefined): SeriesStats {
  // Only the two percentiles a second shows: each one is a pass over the histogram's buckets.
  const p = (percentile: number): number => (latency.totalCount > 0 ? Math.round(latency.getValueAtPercentile(percentile)) / 1000 : 0);
  return {
    requests: counters.requests,
    successes: counters.successes,
    failures: counters.failures,
    errors: { ...counters.errors },
    rps: counters.requests,
    bytesIn: counters.bytesIn,
    p50: p(50),
    p99: p(99),
    inFlight: inFlight ?? 0,
    histogram: encodeHistogram(latency),
  };
}
