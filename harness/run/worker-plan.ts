import type { Stage } from '../../scenarios/scenario.js';
import type { BackoffOptions } from '../load/backoff.js';
import type { PreparedRequest, TransportOptions } from '../transports/transport.js';

/** One request kind as a worker runs it. */
export interface WorkerKind {
  readonly name: string;
  readonly weight: number;
  /** Index into {@link WorkerPlan.transports}. */
  readonly transportIndex: number;
  readonly request: PreparedRequest;
}

/** A worker's share of the load. */
export type WorkerLoad =
  | { readonly model: 'closed'; readonly concurrency: number; readonly stages?: readonly Stage[] }
  | { readonly model: 'open'; readonly rate: number; readonly stages?: readonly Stage[]; readonly maxInFlight: number };

/** Everything a worker thread needs, passed as `workerData` (structured-cloneable). */
export interface WorkerPlan {
  readonly workerIndex: number;
  readonly kinds: readonly WorkerKind[];
  readonly transports: readonly TransportOptions[];
  readonly load: WorkerLoad;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** This worker's share of `--requests` (measured requests), if bounded by count. */
  readonly maxRequests?: number;
  readonly backoff: BackoffOptions;
  readonly seed: number;
  readonly batchIntervalMs: number;
  readonly batchMaxSamples: number;
  /** Delay of this worker's start, so open-model workers interleave instead of firing in lockstep. */
  readonly startOffsetMs: number;
}

/** Splits `total` into `parts` whole shares that differ by at most one and add up to `total`. */
export function splitEvenly(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  const extra = total - base * parts;
  return Array.from({ length: parts }, (_, i) => base + (i < extra ? 1 : 0));
}
