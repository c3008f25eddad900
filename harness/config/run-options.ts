import type { ConnectionPolicy, Protocol, Scenario, Stage } from '../../core/scenario.js';
import type { BackoffOptions } from '../load/backoff.js';
import type { PhaseTimeouts } from '../../core/request.js';
import type { TargetsDescription } from '../../core/targets-description.js';
import type { ProxyPick } from '../../core/proxy-pick.js';

/** Progress of a running run, for a live display. */
export interface RunProgress {
  /** `hold`: a many-connections run, opening or holding its connections (see `held`). */
  readonly phase: 'warmup' | 'measure' | 'baseline' | 'hold';
  /** Seconds since the load started, and the planned total (warm-up + measured). */
  readonly elapsedMs: number;
  readonly plannedMs: number;
  readonly requests: number;
  readonly successes: number;
  readonly failures: number;
  readonly lastSecondRps: number;
  readonly lastSecondP99Ms: number;
  /** A hold run's connections so far; `requests` then counts its trickle requests. */
  readonly held?: HoldProgress;
}

/** Where a hold run (many-connections) stands. */
export interface HoldProgress {
  readonly stage: 'opening' | 'holding';
  /** Connections the run set out to open. */
  readonly target: number;
  readonly established: number;
  readonly failed: number;
  /** Established connections that ended before the hold did. */
  readonly closedEarly: number;
  /** Time since every attempt settled and the hold began, ms (0 while opening). */
  readonly heldForMs: number;
}

/** A pool member given with its weight apart from its URL. */
export interface ProxyOption {
  readonly url: string;
  /** Relative share under `proxyPick: 'weighted'`, a whole number ≥ 1. */
  readonly weight?: number;
}

/** How to start or attach the proxy under test. */
export type SutOptions =
  | {
      readonly kind: 'spawn';
      /** The proxy's command line, split into argv without a shell. */
      readonly command: string;
      readonly cwd?: string;
      readonly env?: Readonly<Record<string, string>>;
      readonly readyTimeoutMs?: number;
      readonly stopGraceMs?: number;
    }
  | { readonly kind: 'attach'; readonly pid: number };

/**
 * Options of {@link run} — the typed twin of `proxybench run`'s flags. Anything left out takes the
 * scenario's default, then proxybench's (see DEFAULTS in run-config.ts).
 */
export interface RunOptions {
  /** A built-in scenario's name, a path to a scenario file, or a scenario object. */
  readonly scenario: string | Scenario;
  /**
   * curl-style proxy URLs (`http://user:pass@host:port`, `socks5://…`, `socks5h://…`). None: the
   * embedded reference proxies. Several of one kind form a pool (`proxyPick`); a URL may end in
   * `#weight=N`, or be given as `{ url, weight }`, for `proxyPick: 'weighted'`. The entry `'env'`
   * stands for the proxies curl would take from the environment (`proxyEnv`; see README).
   */
  readonly proxies?: readonly (string | ProxyOption)[];
  /** A file of proxy URLs, one a line (blank lines and `#` comments skipped), added after `proxies`. */
  readonly proxyFile?: string;
  /** How each request picks a member of its kind's pool (default `round-robin`; `random` is seeded by `seed`). */
  readonly proxyPick?: ProxyPick;
  /**
   * The environment the `'env'` entry of `proxies` reads (`http_proxy`, `HTTPS_PROXY`,
   * `ALL_PROXY`, `NO_PROXY` …); default `process.env`. Never read without `'env'`.
   */
  readonly proxyEnv?: Readonly<Record<string, string | undefined>>;
  readonly durationMs?: number;
  readonly warmupMs?: number;
  /** Measured requests to make (over all workers); the run ends when they are done. */
  readonly requests?: number;
  /** Closed model: requests in flight over all workers. */
  readonly concurrency?: number;
  /** Open model: requests per second over all workers. */
  readonly rate?: number;
  readonly stages?: readonly Stage[];
  /** Open model: most requests in flight over all workers. */
  readonly maxInFlight?: number;
  readonly workers?: number;
  /** Whole-request timeout; phase timeouts not given default from it. */
  readonly timeoutMs?: number;
  readonly timeouts?: Partial<PhaseTimeouts>;
  readonly backoff?: Partial<BackoffOptions>;
  readonly connectionPolicy?: ConnectionPolicy;
  /** Seed of the deterministic bodies, the request mix and the backoff jitter (each its own stream). */
  readonly seed?: number;
  readonly sut?: SutOptions;
  readonly sutSampleIntervalMs?: number;
  /** Also run the same mix straight to the origin, and report the proxy's added latency. */
  readonly directBaseline?: boolean;
  /**
   * Scenarios that can go more than one way (`websocket`, `websocket-many`): the protocol to go
   * through. Default: the first of the scenario's routes the given proxies fit.
   */
  readonly via?: Protocol;
  /** Hold scenarios (`many-connections`): connections to open and hold (default the scenario's). */
  readonly connections?: number;
  /** Hold scenarios: how long to hold them once open, ms (default the scenario's). */
  readonly holdMs?: number;
  /** Hold scenarios: a tiny request on each held connection this often, ms (default the scenario's: idle). */
  readonly trickleIntervalMs?: number;
  /**
   * Absolute gates (`p95<100ms`), added to the scenario's, and, with `baseline`, tolerances
   * (`p99:+5%`): one rule tells them apart (`isTolerance`), as on the command line.
   */
  readonly thresholds?: readonly string[];
  /** An earlier report of the same scenario to compare with (`--baseline`); read and checked before the load. */
  readonly baseline?: string;
  /** Shard of a distributed run: this process takes 1/count of the load. */
  readonly shard?: { readonly index: number; readonly count: number };
  /** Epoch ms at which every shard starts the load. */
  readonly startAtMs?: number;
  /**
   * Standalone mock targets to use instead of starting the run's own (`--targets`): the JSON line
   * `proxybench targets` printed, a file holding it, or the parsed description.
   */
  readonly targets?: string | TargetsDescription;
  /**
   * Your own upstreams to drive instead of the scenario's mix (`--target`, with `--target-sha256`):
   * http:// or https:// URLs, each one GET kind, verified by status and length, and by its body's
   * SHA-256 when given. Overrides the scenario's `targets`; no mock origin is started.
   */
  readonly userTargets?: readonly (string | { readonly url: string; readonly sha256?: string })[];
  /** A PEM file of CAs to trust beside the system's for https:// targets (`--target-ca`). */
  readonly targetCa?: string;
  /** The run's own origins listen on this address (`--origin-host`; default 127.0.0.1). */
  readonly originHost?: string;
  /** The name or address the proxy under test must use for the run's own origins (`--advertise`). */
  readonly advertise?: string;
  /** Where to write the JSON report (atomically); not written when absent. */
  readonly out?: string;
  /** Other views of the report to write (atomically) when the run is done; each path checked before the load. */
  readonly views?: { readonly markdown?: string; readonly junit?: string; readonly html?: string };
  /** Abort to stop early: the report is then marked partial. */
  readonly signal?: AbortSignal;
  /** Called about once a second while the run goes. */
  readonly onProgress?: (progress: RunProgress) => void;
}
