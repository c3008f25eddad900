import type { SeriesPoint } from '../../reports/schema.js';
import { Aggregator, type AggregatedKind } from '../recorder/aggregator.js';
import { Recorder } from '../recorder/recorder.js';
import type { RequestOutcome } from '../../core/request.js';

/** The hold phase is one producer, in the main thread: worker 0 of the aggregator. */
const WORKER = 0;
const KIND = 0;

/**
 * Records a hold run's trickle requests into the same per-kind totals and per-second series as a
 * request loop's (the report's totals, byKind and series then describe them). The main thread
 * records and merges itself, cutting a batch whenever the wall-clock second changes, as a worker
 * would (worker-run.ts), so each batch belongs to exactly one second.
 */
export class TrickleRecorder {
  private readonly recorder: Recorder;
  private readonly aggregator: Aggregator;
  private second = Math.floor(Date.now() / 1000);

  /**
   * @param kindName the report's byKind key of the trickle request (the scenario's mix entry)
   * @param proxyCount proxies the trickle requests may go through (their figures are kept per proxy too)
   */
  constructor(kindName: string, proxyCount = 0) {
    this.recorder = new Recorder(1, true, proxyCount);
    this.aggregator = new Aggregator([kindName], 1, proxyCount);
  }

  /**
   * Records one trickle request (through the proxy of index `proxyIndex`, if any); its latency is
   * its service time (a request on a held connection is never late).
   */
  record(outcome: RequestOutcome, proxyIndex?: number): void {
    this.cutOnNewSecond();
    this.recorder.record(KIND, outcome, outcome.totalUs, proxyIndex);
    // A held WebSocket's trickle is one message echoed: its round trip goes to the rtt figures too.
    if (outcome.ok && outcome.messages) this.recorder.recordRtt(KIND, outcome.totalUs);
  }

  /** Trickle requests merged so far (those of the current second follow when it ends), for progress. */
  counts(): { readonly requests: number; readonly successes: number; readonly failures: number } {
    const { requests, successes, failures } = this.aggregator.snapshot();
    return { requests, successes, failures };
  }

  /** Merges what is pending and returns the per-kind totals and the series. */
  finish(): { kinds: ReadonlyMap<string, AggregatedKind>; proxies: readonly AggregatedKind[]; series: SeriesPoint[] } {
    this.cut();
    this.aggregator.workerDone(WORKER);
    return { kinds: this.aggregator.kinds(), proxies: this.aggregator.proxies(), series: this.aggregator.finishSeries() };
  }

  private cutOnNewSecond(): void {
    const second = Math.floor(Date.now() / 1000);
    if (second === this.second) return;
    this.cut();
    this.second = second;
  }

  private cut(): void {
    if (this.recorder.pendingSamples === 0) return;
    const { deltas, proxyDeltas } = this.recorder.drainBatch();
    this.aggregator.addBatch({ type: 'batch', workerIndex: WORKER, second: this.second, deltas, proxyDeltas, inFlight: 0 });
  }
}
