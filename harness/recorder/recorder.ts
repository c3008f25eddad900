import { takeBucketCounts, type BucketCounts } from '../../reports/histogram-codec.js';
import { emptyCounters, emptyHistograms, HISTOGRAM_NAMES, type HistogramName, type StatsCounters, type StatsHistograms } from '../../reports/stats.js';
import type { RequestOutcome } from '../../core/request.js';
import type { KindDelta } from './batch.js';

/** When a batch is cut (docs/measurement.md §9; the foundation issue's figures). */
export const RECORDER_DEFAULTS = {
  /** Cut a batch at least this often. */
  batchIntervalMs: 100,
  /** …or after this many samples, whichever comes first. */
  batchMaxSamples: 1000,
} as const;

interface KindState {
  counters: StatsCounters;
  readonly histograms: StatsHistograms;
  touched: boolean;
}

/**
 * A worker's recorder: per request kind, HDR histograms (µs) of latency and every phase, latency
 * minus the origin's own service time, and the additive counters. Memory is fixed by the number of
 * kinds; nothing is kept per request.
 */
export class Recorder {
  private readonly kinds: KindState[];
  private samplesSinceDrain = 0;

  /**
   * @param kindCount number of request kinds in the mix
   * @param serviceTimeIsLatency closed model: latency and service time are the same measurement, so
   *   the service-time histogram is sent as a copy instead of being recorded twice
   */
  constructor(
    kindCount: number,
    private readonly serviceTimeIsLatency: boolean,
  ) {
    this.kinds = Array.from({ length: kindCount }, () => ({ counters: emptyCounters(), histograms: emptyHistograms(), touched: false }));
  }

  /** Samples recorded since the last {@link drain}. */
  get pendingSamples(): number {
    return this.samplesSinceDrain;
  }

  /**
   * Records one measured request. `latencyUs` runs from the intended start (open model), which
   * equals the service time under the closed model.
   */
  record(kindIndex: number, outcome: RequestOutcome, latencyUs: number): void {
    const kind = this.kind(kindIndex);
    const c = kind.counters;
    c.requests++;
    c.bytesIn += outcome.bytesIn;
    c.bytesOut += outcome.bytesOut;
    if (outcome.staleRetried) c.staleRetries++;
    if (outcome.connection === 'new') {
      c.connectionsOpened++;
      this.recordSetup(kindIndex, outcome);
    } else if (outcome.connection === 'reused') {
      c.connectionsReused++;
    }
    if (outcome.messages) {
      c.messagesSent += outcome.messages.sent;
      c.messagesReceived += outcome.messages.received;
      c.messagesLost += outcome.messages.lost;
      c.messagesReordered += outcome.messages.reordered;
      c.messagesDuplicated += outcome.messages.duplicates;
    }
    if (outcome.ok) {
      c.successes++;
      kind.histograms.latency.recordValue(toUs(latencyUs));
      if (!this.serviceTimeIsLatency) kind.histograms.serviceTime.recordValue(toUs(outcome.totalUs));
      if (outcome.ttfbUs >= 0) kind.histograms.ttfb.recordValue(toUs(outcome.ttfbUs));
      // Per request, not per percentile: the difference of two percentiles of sums is not the
      // percentile of the proxy's share when the origin's own time varies. A latency below the
      // origin's figure (clock noise) counts as the floor, 1 µs, like any sub-µs duration.
      if (outcome.originUs >= 0) kind.histograms.latencyMinusOrigin.recordValue(toUs(latencyUs - outcome.originUs));
    } else {
      c.failures++;
      const cause = outcome.cause ?? 'other';
      c.errors[cause] = (c.errors[cause] ?? 0) + 1;
    }
    this.samplesSinceDrain++;
  }

  /**
   * Records the setup phases of a measured request that opened a connection, so each phase's
   * count matches `connectionsOpened` (less any setup that did not complete). Warm-up requests
   * record nothing (they are in no figure): a keep-alive run whose connections all opened in
   * warm-up has `connectionsOpened` 0 and empty setup phases.
   */
  private recordSetup(kindIndex: number, outcome: RequestOutcome): void {
    if (outcome.connection !== 'new') return;
    const h = this.kind(kindIndex).histograms;
    if (outcome.connectUs >= 0) h.connect.recordValue(toUs(outcome.connectUs));
    if (outcome.proxyHandshakeUs >= 0) h.proxyHandshake.recordValue(toUs(outcome.proxyHandshakeUs));
    if (outcome.tlsUs >= 0) h.tls.recordValue(toUs(outcome.tlsUs));
  }

  /**
   * Records one message's round trip of a measured exchange of `kindIndex`, as the exchanger
   * reports it (core/exchange.ts RttSink), so no exchange keeps its round trips.
   */
  recordRtt(kindIndex: number, rttUs: number): void {
    this.kind(kindIndex).histograms.rtt.recordValue(toUs(rttUs));
  }

  /** Counts a backoff taken after a failure of `kindIndex`. */
  countBackoff(kindIndex: number): void {
    this.kind(kindIndex).counters.backoffs++;
  }

  /** Counts an open-model request started late. */
  countLate(kindIndex: number): void {
    this.kind(kindIndex).counters.late++;
  }

  /** Counts an open-model request dropped at the in-flight limit. */
  countDropped(kindIndex: number): void {
    this.kind(kindIndex).counters.dropped++;
  }

  /** Takes what was recorded since the last drain (non-empty buckets), resets, and returns the non-empty deltas. */
  drain(): KindDelta[] {
    const deltas: KindDelta[] = [];
    this.kinds.forEach((kind, kindIndex) => {
      if (!kind.touched) return;
      const histograms: Partial<Record<HistogramName, BucketCounts>> = {};
      for (const name of HISTOGRAM_NAMES) {
        const h = kind.histograms[name];
        if (h.totalCount > 0) histograms[name] = takeBucketCounts(h);
      }
      if (this.serviceTimeIsLatency && histograms.latency !== undefined) histograms.serviceTime = histograms.latency;
      deltas.push({ kindIndex, counters: kind.counters, histograms });
      kind.counters = emptyCounters();
      kind.touched = false;
    });
    this.samplesSinceDrain = 0;
    return deltas;
  }

  private kind(kindIndex: number): KindState {
    const kind = this.kinds[kindIndex];
    if (!kind) throw new RangeError(`no request kind ${kindIndex}`);
    kind.touched = true;
    return kind;
  }
}

/** HDR histograms take integers; a sub-microsecond duration still counts as 1 µs. */
function toUs(us: number): number {
  return Math.max(1, Math.round(us));
}
