import { takeBucketCounts, type BucketCounts } from '../../reports/histogram-codec.js';
import { emptyCounters, emptyHistograms, HISTOGRAM_NAMES, type HistogramName, type StatsCounters, type StatsHistograms } from '../../reports/stats.js';
import type { RequestOutcome } from '../../core/request.js';
import type { KindDelta, ProxyDelta, SlotDelta } from './batch.js';

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
 * minus the origin's own service time, and the additive counters. With proxies, the same figures
 * are kept once more per proxy (a member of a pool, by its index in the run's proxy list): each
 * measured request is recorded under its kind and under the proxy it went through, so both views
 * count exactly the same requests. Memory is fixed by the number of kinds and proxies (kinds +
 * proxies, not their product); nothing is kept per request.
 */
export class Recorder {
  private readonly kinds: KindState[];
  private readonly proxies: KindState[];
  private samplesSinceDrain = 0;

  /**
   * @param kindCount number of request kinds in the mix
   * @param serviceTimeIsLatency closed model: latency and service time are the same measurement, so
   *   the service-time histogram is sent as a copy instead of being recorded twice
   * @param proxyCount number of proxies requests may be recorded under (0: none)
   */
  constructor(
    kindCount: number,
    private readonly serviceTimeIsLatency: boolean,
    proxyCount = 0,
  ) {
    this.kinds = Array.from({ length: kindCount }, newState);
    this.proxies = Array.from({ length: proxyCount }, newState);
  }

  /** Samples recorded since the last {@link drain}. */
  get pendingSamples(): number {
    return this.samplesSinceDrain;
  }

  /**
   * Records one measured request. `latencyUs` runs from the intended start (open model), which
   * equals the service time under the closed model. `proxyIndex`: the proxy it went through, if any.
   */
  record(kindIndex: number, outcome: RequestOutcome, latencyUs: number, proxyIndex?: number): void {
    this.recordInto(this.kind(kindIndex), outcome, latencyUs);
    if (proxyIndex !== undefined) this.recordInto(this.proxy(proxyIndex), outcome, latencyUs);
    this.samplesSinceDrain++;
  }

  private recordInto(kind: KindState, outcome: RequestOutcome, latencyUs: number): void {
    const c = kind.counters;
    c.requests++;
    c.bytesIn += outcome.bytesIn;
    c.bytesOut += outcome.bytesOut;
    if (outcome.staleRetried) c.staleRetries++;
    if (outcome.connection === 'new') {
      c.connectionsOpened++;
      this.recordSetup(kind, outcome);
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
  }

  /**
   * Records the setup phases of a measured request that opened a connection, so each phase's
   * count matches `connectionsOpened` (less any setup that did not complete). Warm-up requests
   * record nothing (they are in no figure): a keep-alive run whose connections all opened in
   * warm-up has `connectionsOpened` 0 and empty setup phases.
   */
  private recordSetup(kind: KindState, outcome: RequestOutcome): void {
    if (outcome.connection !== 'new') return;
    const h = kind.histograms;
    if (outcome.connectUs >= 0) h.connect.recordValue(toUs(outcome.connectUs));
    if (outcome.proxyHandshakeUs >= 0) h.proxyHandshake.recordValue(toUs(outcome.proxyHandshakeUs));
    if (outcome.tlsUs >= 0) h.tls.recordValue(toUs(outcome.tlsUs));
  }

  /**
   * Records one message's round trip of a measured exchange of `kindIndex` (through `proxyIndex`,
   * if any), as the exchanger reports it (core/exchange.ts RttSink), so no exchange keeps its round trips.
   */
  recordRtt(kindIndex: number, rttUs: number, proxyIndex?: number): void {
    this.kind(kindIndex).histograms.rtt.recordValue(toUs(rttUs));
    if (proxyIndex !== undefined) this.proxy(proxyIndex).histograms.rtt.recordValue(toUs(rttUs));
  }

  /** Counts a backoff taken after a failure of `kindIndex` (through `proxyIndex`, if any). */
  countBackoff(kindIndex: number, proxyIndex?: number): void {
    this.kind(kindIndex).counters.backoffs++;
    if (proxyIndex !== undefined) this.proxy(proxyIndex).counters.backoffs++;
  }

  /** Counts an open-model request started late. */
  countLate(kindIndex: number, proxyIndex?: number): void {
    this.kind(kindIndex).counters.late++;
    if (proxyIndex !== undefined) this.proxy(proxyIndex).counters.late++;
  }

  /** Counts an open-model request dropped at the in-flight limit (owed to the proxy it would have gone through). */
  countDropped(kindIndex: number, proxyIndex?: number): void {
    this.kind(kindIndex).counters.dropped++;
    if (proxyIndex !== undefined) this.proxy(proxyIndex).counters.dropped++;
  }

  /** Takes what was recorded since the last drain (non-empty buckets), resets, and returns the non-empty kind deltas. */
  drain(): KindDelta[] {
    return this.drainBatch().deltas;
  }

  /** Takes what was recorded since the last drain, per kind and per proxy, and resets. */
  drainBatch(): { deltas: KindDelta[]; proxyDeltas: ProxyDelta[] } {
    const deltas = this.drainStates(this.kinds).map(({ index, delta }) => ({ kindIndex: index, ...delta }));
    const proxyDeltas = this.drainStates(this.proxies).map(({ index, delta }) => ({ proxyIndex: index, ...delta }));
    this.samplesSinceDrain = 0;
    return { deltas, proxyDeltas };
  }

  private drainStates(states: KindState[]): { index: number; delta: SlotDelta }[] {
    const drained: { index: number; delta: SlotDelta }[] = [];
    states.forEach((state, index) => {
      if (!state.touched) return;
      const histograms: Partial<Record<HistogramName, BucketCounts>> = {};
      for (const name of HISTOGRAM_NAMES) {
        const h = state.histograms[name];
        if (h.totalCount > 0) histograms[name] = takeBucketCounts(h);
      }
      if (this.serviceTimeIsLatency && histograms.latency !== undefined) histograms.serviceTime = histograms.latency;
      drained.push({ index, delta: { counters: state.counters, histograms } });
      state.counters = emptyCounters();
      state.touched = false;
    });
    return drained;
  }

  private kind(kindIndex: number): KindState {
    return touch(this.kinds[kindIndex], `request kind ${kindIndex}`);
  }

  private proxy(proxyIndex: number): KindState {
    return touch(this.proxies[proxyIndex], `proxy ${proxyIndex}`);
  }
}

function newState(): KindState {
  return { counters: emptyCounters(), histograms: emptyHistograms(), touched: false };
}

function touch(state: KindState | undefined, what: string): KindState {
  if (!state) throw new RangeError(`no ${what}`);
  state.touched = true;
  return state;
}

/** HDR histograms take integers; a sub-microsecond duration still counts as 1 µs. */
function toUs(us: number): number {
  return Math.max(1, Math.round(us));
}
