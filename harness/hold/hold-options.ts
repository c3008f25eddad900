import type { RequestOutcome } from '../../core/request.js';
import type { HoldProgress } from '../config/run-options.js';
import type { HeldStrategy } from './held-strategy.js';
import type { TunnelRoute } from '../transports/index.js';

/** Trickle mode: how often to trickle on each held connection (what is sent is the strategy's), and where outcomes go. */
export interface TrickleOptions {
  readonly intervalMs: number;
  /** Called once per trickle with the index of the route its connection took (for the report's totals, series and byProxy). */
  readonly record: (outcome: RequestOutcome, routeIndex: number) => void;
}

/** Options of {@link holdConnections}. */
export interface HoldOptions {
  /**
   * Where the connections go: one route per proxy of the pool (at least one), all of one protocol
   * and origin (the report names them). Connection i takes route i mod n, so they spread evenly.
   */
  readonly routes: readonly TunnelRoute[];
  /** How each is opened and trickled along its route, one per route: a bare tunnel, or a WebSocket (held-strategy.ts). */
  readonly strategies: readonly HeldStrategy[];
  /** Connections to open and hold. */
  readonly connections: number;
  /** How long to hold them once every attempt has settled, ms. */
  readonly holdMs: number;
  readonly trickle?: TrickleOptions;
  /**
   * Most connections the harness may open (its fd budget, fd-limit.ts); the rest fail as
   * `harness_limit` without being attempted. Default: no budget.
   */
  readonly maxOpen?: number;
  /** Connections being opened at once (default HOLD_DEFAULTS.openConcurrency, hold-defaults.ts). */
  readonly openConcurrency?: number;
  /** Samples the SUT's process-tree RSS now, MiB; absent when no SUT is sampled. */
  readonly sampleSutRssMiB?: () => Promise<number | undefined>;
  /** Aborting stops opening and ends the hold early (the result is then partial). */
  readonly signal?: AbortSignal;
  /** Called about once a second with the counts so far (for a live progress line). */
  readonly onProgress?: (progress: HoldProgress) => void;
}
