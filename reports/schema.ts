import type { ErrorCause } from '../core/error-cause.js';
import type { Protocol, RequestMixEntry } from '../core/scenario.js';
import type { RunSettings } from '../core/run-settings.js';
import type { BodyVerification } from '../core/user-target.js';

export type { BodyVerification } from '../core/user-target.js';
import type { ProxyPick } from '../core/proxy-pick.js';

/**
 * The report: proxybench's contract with every later tool (compare, merge, formatters, users' own
 * scripts). Bump {@link SCHEMA_VERSION} and CHANGELOG.md together when its shape changes; a major
 * bump is a change a reader of the old shape would misread.
 */
export const SCHEMA_VERSION = 1;

/** Latency percentiles of one distribution, in milliseconds; all 0 when `count` is 0. */
export interface LatencySummary {
  /** Samples in the distribution. */
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  readonly mean: number;
}

/**
 * Setup and response phases, of measured requests only. The setup phases
 * (`connect`, `proxyHandshake`, `tls`) cover the connections measured requests opened — those
 * `connections.opened` counts — and nothing from warm-up: `connect.count` equals
 * `connections.opened` less the connects that did not complete. With keep-alive, connections
 * opened in warm-up and reused later are in neither, so a well-reused run may have empty setup
 * phases (`connection-churn`, `--new-connection-per-request` or `--warmup 0` measure them).
 */
export interface PhaseSummaries {
  /** TCP connect to the proxy (or origin, direct). */
  readonly connect: LatencySummary;
  /** CONNECT 200 / SOCKS5 reply, when a tunnel was opened. */
  readonly proxyHandshake: LatencySummary;
  /** TLS handshake with the origin (inside the tunnel for CONNECT). */
  readonly tls: LatencySummary;
  /** From send to response headers. */
  readonly ttfb: LatencySummary;
}

/** Encoded histograms (HdrHistogram compressed base64, values in microseconds) behind the summaries. */
export interface PhaseHistograms {
  readonly serviceTime: string;
  readonly connect: string;
  readonly proxyHandshake: string;
  readonly tls: string;
  readonly ttfb: string;
  /** Behind `latencyMinusOriginMs`; absent in reports written before it existed. */
  readonly latencyMinusOrigin?: string;
  /** Behind `rttMs`: present exactly when `messages` is. */
  readonly rtt?: string;
}

/** An exchange's messages (datagrams for `udp-echo`), summed over its sessions. */
export interface MessageCounts {
  readonly sent: number;
  /** Distinct messages whose echo came back verified. */
  readonly received: number;
  /** Sent and never echoed: a UDP datagram lost, or what a failed stream session had not got back. */
  readonly lost: number;
  /** Echoes that came back after a later message's (UDP; 0 on streams, which keep order). */
  readonly reordered: number;
  /** Echoes of a message already received (UDP; 0 on streams). */
  readonly duplicates: number;
}

/** Figures for one request kind, one protocol, or the total. */
export interface Stats {
  readonly requests: number;
  readonly successes: number;
  readonly failures: number;
  /**
   * successes / (requests + dropped), 0..1: the share of the requests the load offered that
   * succeeded (0 when none was offered). Under the open model a dropped request — never sent
   * because a backoff after failures covered its slot, or the run ended with every slot busy —
   * counts against it like a failure; under the closed model nothing is dropped and it is
   * successes / requests.
   */
  readonly successRate: number;
  /** Completed requests (successes and failures) per second of measured time. */
  readonly rps: number;
  /** Response body bytes received. */
  readonly bytesIn: number;
  /** Request body bytes sent. */
  readonly bytesOut: number;
  /** (bytesIn + bytesOut) × 8 / 1e6 per second of measured time. */
  readonly throughputMbps: number;
  /**
   * Latency of successful requests. Under the open model it runs from each request's *intended*
   * start (coordinated omission corrected); under the closed model it equals the service time.
   */
  readonly latencyMs: LatencySummary;
  /** Latency of successful requests from the moment they were actually sent. */
  readonly serviceTimeMs: LatencySummary;
  /**
   * `latencyMs` minus the origin's own service time, request by request, for the successes whose
   * response stated it (`server-timing: origin;dur=…`, sent by the mock origins; 1 µs floor): the
   * time the proxy, the network and the client took. `count` is how many successes carried the
   * header — 0 against an origin that does not send it. Absent in reports written before it existed.
   */
  readonly latencyMinusOriginMs?: LatencySummary;
  readonly phasesMs: PhaseSummaries;
  /** Failures by cause (only causes that occurred appear). */
  readonly errors: Partial<Record<ErrorCause, number>>;
  /** Times a slot waited after a failure before its next attempt. */
  readonly backoffs: number;
  /** Requests re-sent once because a reused connection was found closed (docs/measurement.md §7). */
  readonly staleRetries: number;
  /**
   * Connections (or tunnels) opened, and requests that went on a reused one. `perSecond` is opened
   * per second of measured time (the setup rate under `new-per-request`); absent in reports
   * written before it existed.
   */
  readonly connections: { readonly opened: number; readonly reused: number; readonly reuseRatio: number; readonly perSecond?: number };
  /** Open model: requests started more than one inter-arrival interval (at least 2 ms) after their intended time: every slot was busy, or the harness's timers ran late (the schedule_not_kept warning says which). */
  readonly late: number;
  /**
   * Open model: requests due by the schedule and never started — a backoff after failures covered
   * their slot, or the run ended while they waited for a free in-flight slot. Counted in
   * `successRate`'s denominator, not in `requests`.
   */
  readonly dropped: number;
  /**
   * Present only for figures covering exchanges that sent messages (the `tcp-echo`, `websocket` and
   * `udp-echo` operations; docs/report-schema.md), together with the three fields after it.
   */
  readonly messages?: MessageCounts;
  /** Verified echoes per second of measured time. */
  readonly messagesPerSecond?: number;
  /** messages.lost / messages.sent, 0..1. */
  readonly lossRate?: number;
  /** Round trip of each verified message: from its first byte written to its echo's last byte verified. */
  readonly rttMs?: LatencySummary;
  /** HdrHistogram compressed base64 of `latencyMs` (microseconds). */
  readonly histogram: string;
  readonly phaseHistograms: PhaseHistograms;
  /**
   * `byKind` entries only (and `directBaseline.byKind`): how the kind's bodies were verified —
   * `bytes` (every byte, our own mock targets), `length` (a target of the user's own: 2xx and as
   * many bytes as Content-Length said) or `sha256` (that, and the SHA-256 the user gave). Absent
   * in totals, per protocol, and in reports written before it existed, whose kinds are all `bytes`.
   */
  readonly verification?: BodyVerification;
}

/** One second of the run (wall-clock stamp, so shards align when merged). */
export interface SeriesPoint {
  /** Unix seconds at the start of this second. */
  readonly t: number;
  readonly totals: SeriesStats;
  readonly byKind: Readonly<Record<string, SeriesStats>>;
}

/** The figures kept for each second. */
export interface SeriesStats {
  readonly requests: number;
  readonly successes: number;
  readonly failures: number;
  readonly errors: Partial<Record<ErrorCause, number>>;
  readonly rps: number;
  readonly bytesIn: number;
  readonly p50: number;
  readonly p99: number;
  /** Requests in flight at the end of the second. */
  readonly inFlight: number;
  /** Latency histogram of this second (compressed base64), so merged series stay exact. */
  readonly histogram: string;
}

/**
 * Load model as run. In a shard's report (`--shard i/N`) every figure is that shard's share of the
 * run's load (its rate, concurrency, in-flight limit and `--requests`), and `shareOf` gives the
 * whole run's; a merge of all shards gives the whole run's figures again.
 */
export type LoadSummary =
  | {
      readonly model: 'closed';
      /** Requests in flight over all workers (this shard's share in a shard's report). */
      readonly concurrency: number;
      readonly achievedRps: number;
      /** `--requests`, the measured-request bound (this shard's share); absent when bounded by time only or in reports written before it existed. */
      readonly requests?: number;
      /** A shard's report: the whole run's figures this load is a share of. */
      readonly shareOf?: { readonly shardCount: number; readonly concurrency: number; readonly requests?: number };
    }
  | {
      readonly model: 'open';
      /** Requests per second the schedule asked for (mean over the measured time; this shard's share in a shard's report). */
      readonly offeredRps: number;
      readonly achievedRps: number;
      /** Most requests in flight over all workers (this shard's share in a shard's report). */
      readonly maxInFlight: number;
      /** False when the harness could not keep the schedule (late or dropped requests). */
      readonly scheduleKept: boolean;
      /** `--requests`, the measured-request bound (this shard's share); absent when bounded by time only or in reports written before it existed. */
      readonly requests?: number;
      /**
       * A shard's report: the whole run's figures this load is a share of. `offeredRps` is absent
       * under `--stages`, where the offered rate is read from the shard's own counts.
       */
      readonly shareOf?: { readonly shardCount: number; readonly offeredRps?: number; readonly maxInFlight: number; readonly requests?: number };
    };

/** One run added by `proxybench merge --sequential`. */
export interface MergedRun {
  /** ISO time its measured phase started. */
  readonly startedAt: string;
  /** Its measured time, ms. */
  readonly durationMs: number;
  readonly requests: number;
  /** Its {@link Report.runId}, when it had one. */
  readonly runId?: string;
}

/**
 * How a merged report was made (`proxybench merge`):
 * - `shards`: the shards of one run, side by side: counts add, rates are over the span from the
 *   earliest start to the latest end.
 * - `sequential` (`--sequential`): whole runs back to back: counts add, durations add, rates are
 *   over the summed duration.
 */
export type MergeInfo =
  | { readonly mode: 'shards'; readonly reports: number }
  | { readonly mode: 'sequential'; readonly reports: number; readonly runs: readonly MergedRun[] };

/** The harness's own resources (docs/measurement.md §10). */
export interface HarnessResources {
  readonly workers: number;
  readonly rssPeakMiB: number;
  /** CPU of the whole harness process, percent of one core (200 = both cores of a 2-core machine). */
  readonly cpuPercent: number;
  /** CPU time the harness spent per request, microseconds. */
  readonly cpuUsPerRequest: number;
  /** Worst worker's event-loop delay p99, ms: how late its timers and I/O callbacks ran (beyond the monitor's 10 ms sampling interval). */
  readonly eventLoopDelayP99Ms: number;
  /** True when the harness, not the proxy, was likely the limit (see warnings). */
  readonly saturated: boolean;
}

/** One resource sample of the system under test. */
export interface SutSample {
  /** Unix seconds (fractional). */
  readonly t: number;
  readonly rssMiB: number;
  readonly cpuPercent: number;
  readonly fds: number;
  readonly threads: number;
}

/** The proxy under test as a process (docs/measurement.md §11). */
export interface SutResources {
  /** How the SUT was obtained: the embedded reference proxies, a `--sut` command, or `--sut-pid`. */
  readonly source: 'embedded' | 'spawned' | 'attached';
  readonly pid: number;
  /** The command line (`--sut`), with nothing secret in it redacted only if it looks like a URL password. */
  readonly command?: string;
  /** From spawn to the proxy port accepting a connection; absent when attached. */
  readonly startupMs?: number;
  readonly rssPeakMiB: number;
  readonly cpuPercentMean: number;
  readonly rssMiB: { readonly start: number; readonly peak: number; readonly mean: number; readonly end: number };
  /** Least-squares slope of RSS over the measured time. */
  readonly rssSlopeMiBPerMin: number;
  /** R² of that fit (how straight the growth is). */
  readonly rssSlopeR2: number;
  readonly cpuPercent: { readonly mean: number; readonly peak: number };
  /** CPU time of the SUT tree per 1000 requests, milliseconds. */
  readonly cpuMsPer1kRequests: number;
  readonly fdsPeak: number;
  readonly threadsPeak: number;
  readonly samples: readonly SutSample[];
}

/** A finding the reader must see (also printed on the console). */
export interface ReportWarning {
  readonly code: WarningCode;
  readonly message: string;
}

/** Kinds of warnings. */
export type WarningCode =
  | 'harness_saturated'
  /**
   * The open-model schedule was missed; the message names every cause the run shows: the harness
   * saturated, every in-flight slot busy (a slow proxy), or backoffs after the proxy's failures
   * dropping the requests due meanwhile — and the harness's late timers only when none of these.
   */
  | 'schedule_not_kept'
  /** The SUT's RSS kept growing over a measured phase of ≥ 30 s (slope, R²): a likely leak. */
  | 'sut_memory_growth'
  /**
   * The SUT's RSS grew steeply in a phase of any length (≥ 3× its start and ≥ 16 MiB, R² ≥ 0.9,
   * still rising over its last quarter): a likely leak, to confirm with a longer run.
   */
  | 'sut_memory_steep_growth'
  | 'no_connection_reuse'
  | 'all_failed'
  | 'partial'
  | 'sample_too_small'
  /**
   * The proxy under test failed to start, or exited during the run (message quotes its stderr).
   * During a run the load stops at once and the report keeps what was measured until then
   * (`partial: true`); the CLI exits 3, as the run could not be carried out.
   */
  | 'sut_failed'
  /** The harness's own limits (open files, local ports) capped the run: not the proxy's fault. */
  | 'harness_limit'
  /**
   * A worker thread failed during the run (threw, crashed or exited without its last results);
   * the message quotes its error. The other workers were stopped, the report keeps what had been
   * measured (`partial: true`) and the CLI exits 3.
   */
  | 'worker_failed'
  /**
   * Some samples of the SUT's process tree could not be taken (the message gives how many and the
   * first error): its RSS, CPU, fd and thread figures miss those moments.
   */
  | 'sut_sampling_failed';

/** A threshold as evaluated after a run. */
export interface ThresholdResult {
  /** As written, e.g. `p95<100ms` or `get-1k.successRate>=0.99`. */
  readonly expression: string;
  readonly metric: string;
  readonly kind?: string;
  /**
   * The `byProxy` key (a proxy URL, password `***`) the metric was read from, when the threshold
   * named a proxy (`proxy[1].p99<50ms`, `proxy[10.0.0.5:3128].successRate>=0.99`).
   */
  readonly proxy?: string;
  readonly op: '<' | '<=' | '>' | '>=' | '==';
  /** The limit, in the metric's report unit (ms for latencies). */
  readonly limit: number;
  /**
   * The measured value, in the same unit. For a latency figure (`p99`, `serviceTime.max`) it is
   * measured over the successful requests only; see `reason`. `null` when the figure was not
   * measured: a message figure (`rtt.p99`, `lossRate`…) of a kind none of whose exchanges sent a
   * message; the threshold then failed.
   */
  readonly value: number | null;
  readonly passed: boolean;
  /**
   * Why the threshold failed whatever its value, e.g. `p99 not measurable: 33.3 % of requests
   * failed (> 1 %)`. A latency threshold at percentile p (total or per kind; `p50`…`p999`, and
   * `serviceTime.*`) fails when more than (100 − p) % of the requests failed, since the failed ones
   * (timeouts included) would occupy that percentile; `max` and `mean` fail on any failed request,
   * and any latency threshold fails when no request was made. Phase figures (`ttfb.*`, `connect.*`…)
   * are not gated this way. Message RTT (`rtt.p50`…`rtt.mean`) counts messages, so the same rule
   * counts messages lost of messages sent. Absent when the value decided; absent in reports written before it existed.
   */
  readonly reason?: string;
}

/** Added latency at three percentiles, ms. */
export interface AddedLatencyMs {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
}

/**
 * How {@link ProxyOverhead.latencyAddedMs} was computed:
 * - `minus-origin`: pXX(proxied latency − origin time) − pXX(direct latency − origin time), each
 *   request's own origin service time taken off before the percentiles. Used when both sides had
 *   the origin's `server-timing` stamp on (nearly) every success: the origin's variance then drops
 *   out of both sides, where a difference of two percentiles of sums keeps it.
 * - `latency`: pXX(proxied latency) − pXX(direct latency), when either side lacked the stamp
 *   (a real origin, or a proxy that drops the header).
 */
export type OverheadBasis = 'minus-origin' | 'latency';

/** Proxy-added cost against the direct baseline (`--direct-baseline`). */
export interface ProxyOverhead {
  /** The proxy's added latency per percentile, ms, computed as `basis` says. */
  readonly latencyAddedMs: AddedLatencyMs;
  /** How `latencyAddedMs` was computed. Absent in reports written before it existed: `latency`. */
  readonly basis?: OverheadBasis;
  /**
   * Always the plain difference pXX(proxied latency) − pXX(direct latency), ms, kept beside the
   * chosen figure. Absent in reports written before it existed (their `latencyAddedMs` is this).
   */
  readonly latencyAddedGrossMs?: AddedLatencyMs;
  /** Proxied rps / direct rps. */
  readonly throughputRatio: number;
}

/** The setup phases a held connection is timed by, as `HeldConnections.phasesMs` names them. */
export const HELD_PHASES = ['connect', 'proxyHandshake', 'tls'] as const;

/**
 * A hold run (`many-connections`): connections opened and held, why the others failed, and what
 * holding them cost the proxy's memory.
 */
export interface HeldConnections {
  /** Connections (or tunnels) the run set out to open. */
  readonly target: number;
  readonly protocol: Protocol;
  readonly origin: 'http' | 'https';
  /** Opened completely: TCP, the proxy handshake, and TLS when the origin is https. */
  readonly established: number;
  /** Attempts that failed to open (`errors` says why). */
  readonly failed: number;
  /** Established connections that ended before the hold did (closed by the proxy, or a trickle request failed). */
  readonly closedEarly: number;
  /** Failures by cause, opening and trickling together (`harness_limit`: our fd or port limit, not the proxy's). */
  readonly errors: Partial<Record<ErrorCause, number>>;
  /** Setup phases of the established connections, ms. */
  readonly phasesMs: { readonly connect: LatencySummary; readonly proxyHandshake: LatencySummary; readonly tls: LatencySummary };
  /** HdrHistogram compressed base64 (µs) behind `phasesMs`. */
  readonly phaseHistograms: { readonly connect: string; readonly proxyHandshake: string; readonly tls: string };
  /** From the first attempt to the last one settled, ms. */
  readonly openingMs: number;
  /** How long the connections were held once all attempts had settled, ms. */
  readonly holdMs: number;
  /** Trickle mode: a tiny request on each held connection every `intervalMs`. */
  readonly trickle?: { readonly intervalMs: number; readonly ok: number; readonly failed: number };
  /** RSS of the proxy's process tree before the first connection opened, MiB; null when no SUT was sampled. */
  readonly sutRssBaselineMiB: number | null;
  /** RSS of the proxy's process tree while the connections were held (median of the hold's second half), MiB. */
  readonly sutRssHeldMiB: number | null;
  /** (held − baseline) / established × 1000, MiB; null without a SUT sample or an established connection. */
  readonly sutRssPerThousandMiB: number | null;
  /** How to lift the harness's limit, when `harness_limit` occurred. */
  readonly hint?: string;
}

/** Run environment. */
export interface EnvironmentInfo {
  readonly node: string;
  readonly platform: string;
  readonly arch: string;
  readonly osRelease: string;
  readonly cpus: number;
  readonly cpuModel: string;
  readonly totalMemoryMiB: number;
}

/**
 * The run as it was carried out (flags applied over the scenario's defaults, {@link RunSettings}),
 * secrets redacted. A type alias, not an interface, so generic readers can still walk it as a record.
 */
export type ReportConfig = RunSettings & {
  /** The scenario's name. */
  readonly scenario: string;
  readonly mix: readonly RequestMixEntry[];
  /**
   * The proxies actually driven, as URLs with the password as `***` (`http://user:***@127.0.0.1:3128`,
   * `socks5h://127.0.0.1:1080`): the given ones, or the embedded reference proxies' addresses.
   * Empty only for a run that goes direct.
   */
  readonly proxies: readonly string[];
  /** True when the run started its own reference proxies (no `--proxy`): `proxies` are theirs. */
  readonly embeddedProxies: boolean;
  /**
   * A run driven toward the user's own targets (`--target`, a scenario's `targets`), in the order
   * given: each URL with any user info as `***`, its `byKind` key, and how its bodies were
   * verified. Absent for a run of the mock targets.
   */
  readonly userTargets?: readonly { readonly url: string; readonly kind: string; readonly verification: BodyVerification }[];
  /**
   * How each request picked a member of its kind's pool (`--proxy-pick`): present only when a kind
   * had more than one proxy.
   */
  readonly proxyPick?: ProxyPick;
  /** With `proxyPick` `weighted`: each proxy's weight, in the order of `proxies`. */
  readonly proxyWeights?: readonly number[];
  /** How the proxy under test was started or attached; the command with secrets as `***`, env as names only. */
  readonly sut?:
    | { readonly kind: 'spawn'; readonly command: string; readonly cwd?: string; readonly env: readonly string[] }
    | { readonly kind: 'attach'; readonly pid: number };
};

/** The whole report. */
export interface Report {
  readonly schemaVersion: typeof SCHEMA_VERSION;
  readonly tool: { readonly name: 'proxybench'; readonly version: string };
  readonly scenario: string;
  /** The resolved run configuration, passwords redacted. */
  readonly config: ReportConfig;
  readonly environment: EnvironmentInfo;
  /** ISO time the measured phase started. */
  readonly startedAt: string;
  /** Measured time (warm-up excluded). */
  readonly durationMs: number;
  readonly warmupMs: number;
  /** True when the run was interrupted before it was done. */
  readonly partial: boolean;
  /** Shard of a sharded run, e.g. `{ index: 0, count: 4 }`; merged reports list all. */
  readonly shards?: readonly { readonly index: number; readonly count: number }[];
  /**
   * The run's identity (16 hex digits): a hash of what every shard of one run is given alike —
   * scenario and mix, load, `--requests`, duration, warm-up, seed, connection policy, hold, shard
   * count and `--start-at`. Shards of one run share it; `merge` refuses shards whose ids differ.
   * An unsharded run without `--start-at` also hashes its start time, so no two runs share one.
   * Absent in reports written before it existed and in `--sequential` merges.
   */
  readonly runId?: string;
  /** Present in a report written by `proxybench merge`: how it was merged. */
  readonly merged?: MergeInfo;
  readonly load: LoadSummary;
  readonly totals: Stats;
  readonly byKind: Readonly<Record<string, Stats>>;
  readonly byProtocol: Readonly<Partial<Record<Protocol, Stats>>>;
  /**
   * One Stats block per proxy the run drove, keyed by its URL as `config.proxies` lists it (password
   * `***`), in that order: the requests that went through that member of its kind's pool. The
   * entries add up to the requests that went through a proxy (all of `totals`, unless the mix has
   * `direct` entries). Present whenever the run drove a proxy; absent in runs that went direct, in
   * reports written before it existed, and in a merge of reports one of which lacks it.
   */
  readonly byProxy?: Readonly<Record<string, Stats>>;
  readonly series: readonly SeriesPoint[];
  readonly harness: HarnessResources;
  readonly sut: SutResources | null;
  /** `--direct-baseline`: the same mix straight to the origin, and the proxy's added cost per kind. */
  readonly directBaseline?: {
    readonly byKind: Readonly<Record<string, Stats>>;
    readonly overheadByKind: Readonly<Record<string, ProxyOverhead>>;
  };
  /** A hold run (`many-connections`): the held connections; totals and byKind then describe the trickle requests. */
  readonly held?: HeldConnections;
  readonly thresholds: readonly ThresholdResult[];
  readonly warnings: readonly ReportWarning[];
}
