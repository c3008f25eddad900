import type { BucketCounts } from '../../reports/histogram-codec.js';
import type { StatsCounters, HistogramName } from '../../reports/stats.js';

/**
 * Messages between worker threads and the main thread. Workers never touch shared state per request
 * (docs/measurement.md §9): they post these batches of histogram deltas (non-empty buckets) and counters instead.
 */

/** What one request kind (or one proxy) accumulated in a worker since its last batch. */
export interface SlotDelta {
  readonly counters: StatsCounters;
  /** The non-empty buckets (µs) of each non-empty histogram. */
  readonly histograms: Partial<Record<HistogramName, BucketCounts>>;
}

/** What one request kind accumulated in a worker since its last batch. */
export interface KindDelta extends SlotDelta {
  readonly kindIndex: number;
}

/**
 * What the requests through one proxy accumulated since the last batch: the same requests as the
 * kind deltas, seen per proxy (its index in the run's proxy list).
 */
export interface ProxyDelta extends SlotDelta {
  readonly proxyIndex: number;
}

/** A worker's batch: the deltas of one wall-clock second (a second is never split across batches' tags). */
export interface BatchMessage {
  readonly type: 'batch';
  readonly workerIndex: number;
  /** Unix second in which every sample of this batch completed. */
  readonly second: number;
  readonly deltas: readonly KindDelta[];
  /** The same samples per proxy; absent or empty when the run drives no proxy. */
  readonly proxyDeltas?: readonly ProxyDelta[];
  /** Requests in flight in this worker when the batch was cut. */
  readonly inFlight: number;
}

/** A worker's own health over the measured phase (docs/measurement.md §10). */
export interface WorkerHealth {
  /** Event-loop delay p99 and max, ms. */
  readonly eventLoopDelayP99Ms: number;
  readonly eventLoopDelayMaxMs: number;
  /** Share of the measured time the worker's event loop was busy, 0..1. */
  readonly eventLoopUtilization: number;
  /** Open model: times a request fell due with every in-flight slot busy (0 under the closed model). */
  readonly slotWaits: number;
  /**
   * Open model: measured requests dropped because a backoff after the proxy's failures covered
   * their slot of the schedule (0 under the closed model, whose slots back off without dropping).
   */
  readonly backoffDrops: number;
}

/** Worker → main. */
export type WorkerMessage =
  | { readonly type: 'ready'; readonly workerIndex: number }
  | BatchMessage
  | {
      readonly type: 'done';
      readonly workerIndex: number;
      readonly health: WorkerHealth;
      /** Wall-clock ms when the worker stopped starting measured requests. */
      readonly measuredEndWallMs: number;
      readonly warmupRequests: number;
      readonly interrupted: boolean;
    }
  | { readonly type: 'fatal'; readonly workerIndex: number; readonly message: string };

/** Main → worker. */
export type MainMessage =
  | { readonly type: 'start'; readonly startAtWallMs: number }
  | { readonly type: 'stop' };
