/**
 * A scenario is data: what mix of requests to send, through which kind of proxy, with which load
 * defaults. Built-in scenarios live one per file beside this one; users may load their own (JSON or
 * an ESM module exporting one as default).
 */

/** How a request reaches the origin. Each protocol is one transport file in harness/transports/. */
export type Protocol = 'http-forward' | 'connect' | 'socks5' | 'direct';

/** Every protocol, in report order. */
export const PROTOCOLS: readonly Protocol[] = ['http-forward', 'connect', 'socks5', 'direct'];

/** What one request asks of the mock origin. */
export type RequestOperation =
  /** `GET /bytes/:n`: a deterministic body of `bytes` bytes, verified as it streams. */
  | { readonly op: 'download'; readonly bytes: number }
  /** `POST /echo-digest`: uploads `bytes` deterministic bytes; the origin answers their SHA-256. */
  | { readonly op: 'upload'; readonly bytes: number }
  /**
   * `GET /delay/:ms`: the origin waits `delayMs` before answering `bytes` deterministic bytes, plus
   * a random share (uniform, per request) of `jitterMs` when given: an origin whose own service
   * time varies, which `--direct-baseline`'s origin-subtracted overhead is made for.
   */
  | { readonly op: 'delay'; readonly delayMs: number; readonly bytes: number; readonly jitterMs?: number };

/** One entry of a scenario's weighted mix; its `name` is the report's `byKind` key. */
export interface RequestMixEntry {
  /** Report key, e.g. `get-1k`. Unique within the scenario. */
  readonly kind: string;
  /** Relative weight (any positive number; weights are normalised). */
  readonly weight: number;
  readonly protocol: Protocol;
  /** Which mock origin: plain HTTP, or HTTPS (TLS end to end, e.g. through a CONNECT tunnel). */
  readonly origin: 'http' | 'https';
  readonly operation: RequestOperation;
}

/** How connections are used. */
export type ConnectionPolicy =
  /** Keep-alive: connections and tunnels are reused (the default). */
  | 'keep-alive'
  /** A new connection (and tunnel) for every request: measures setup cost. */
  | 'new-per-request';

/** A change of load over time: ramp linearly to `target` over `durationMs`. */
export interface Stage {
  readonly durationMs: number;
  /** Target rate (req/s, open model) or concurrency (closed model) at the end of the stage. */
  readonly target: number;
}

/** Load and timing defaults a scenario brings; every one can be overridden by a flag. */
export interface ScenarioDefaults {
  /** Measured duration, after warm-up. */
  readonly durationMs: number;
  readonly warmupMs: number;
  /** Closed model: requests in flight over all workers. */
  readonly concurrency: number;
  /** Open model: requests per second over all workers (absent = closed model). */
  readonly rate?: number;
  readonly stages?: readonly Stage[];
  readonly connectionPolicy?: ConnectionPolicy;
  /** Absolute thresholds, e.g. `successRate>=0.99` (checked after the run). */
  readonly thresholds?: readonly string[];
}

/**
 * A hold phase instead of a request loop (issue #5, `many-connections`): open `connections`
 * connections or tunnels through the proxy, keep them open for `holdMs`, idle or with a tiny
 * request on each every `trickleIntervalMs`, then close them all. The mix then describes the
 * trickle request (its name is the report's `byKind` key).
 */
export interface HoldSpec {
  /** Connections (or tunnels) to open and hold. */
  readonly connections: number;
  /** How each is opened: `connect` a CONNECT tunnel, `socks5` a SOCKS5 tunnel, `http-forward` a bare TCP connection to the proxy. */
  readonly protocol: Protocol;
  /** Which mock origin the tunnels lead to (https: TLS end to end inside each tunnel). */
  readonly origin: 'http' | 'https';
  /** Trickle mode: ms between two tiny requests on each connection; absent = idle. */
  readonly trickleIntervalMs?: number;
  /** How long the connections are held once all are open, ms. */
  readonly holdMs: number;
}

/** A complete scenario. */
export interface Scenario {
  readonly name: string;
  /** One line, shown by `proxybench scenarios`. */
  readonly description: string;
  readonly mix: readonly RequestMixEntry[];
  readonly defaults: ScenarioDefaults;
  /** Present: the run holds connections open instead of running the request loop. */
  readonly hold?: HoldSpec;
}
