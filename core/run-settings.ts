import type { PhaseTimeouts } from './request.js';
import type { ConnectionPolicy, HoldSpec, Stage } from './scenario.js';
import type { TargetsDescription } from './targets-description.js';

/** How long to back off after failures; every duration in milliseconds (docs/measurement.md §8). */
export interface BackoffOptions {
  /** Delay after the first failure of a streak, in ms. */
  readonly initialMs: number;
  /** Growth per further consecutive failure (≥ 1 to grow). */
  readonly factor: number;
  /** Ceiling of the delay before jitter, in ms. */
  readonly maxMs: number;
  /** 0..1: the delay is base × (1 − jitter × random) */
  readonly jitter: number;
}

/** The load model and its size: a run's whole load, a shard's share of it, or a worker's. */
export type LoadModel =
  | { readonly model: 'closed'; readonly concurrency: number; readonly stages?: readonly Stage[] }
  | { readonly model: 'open'; readonly rate: number; readonly stages?: readonly Stage[]; readonly maxInFlight: number };

/**
 * The settings of a run that the resolved config and the report's record of it share, each
 * decided once: the engine's `RunConfig` and the report's `ReportConfig` both extend this, and
 * differ only where one holds live values (the scenario, the proxies, the SUT's environment) and
 * the other their redacted, serialisable form. A type alias, so a report's config can still be
 * walked as a record.
 */
export type RunSettings = {
  /** Measured duration (warm-up excluded), ms. */
  readonly durationMs: number;
  readonly warmupMs: number;
  /** `--requests`: measured requests over all workers and all shards (a shard's own share is the report's `load.requests`). */
  readonly requests?: number;
  readonly load: LoadModel;
  readonly workers: number;
  /** Phase limits, ms. */
  readonly timeouts: PhaseTimeouts;
  readonly backoff: BackoffOptions;
  readonly connectionPolicy: ConnectionPolicy;
  /** Seed of the bodies, the request mix and the backoff jitter (each its own stream). */
  readonly seed: number;
  readonly sutSampleIntervalMs: number;
  readonly directBaseline: boolean;
  /** Thresholds as written (the scenario's, then the caller's). */
  readonly thresholds: readonly string[];
  readonly shard?: { readonly index: number; readonly count: number };
  /** Epoch ms at which the shards of a distributed run start together. */
  readonly startAtMs?: number;
  /** Standalone targets the run uses instead of starting its own (`--targets`). */
  readonly targets?: TargetsDescription;
  /** Where the run's own origins listen (`--origin-host`). */
  readonly originHost?: string;
  /** The name the proxy under test uses for the run's own origins (`--advertise`). */
  readonly advertiseHost?: string;
  /** A hold run (`many-connections`): what is held, flags applied. */
  readonly hold?: HoldSpec;
};
