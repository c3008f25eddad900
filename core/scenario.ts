/**
 * A scenario is data: what mix of requests to send, through which kind of proxy, with which load
 * defaults. Built-in scenarios live one per file beside this one; users may load their own (JSON or
 * an ESM module exporting one as default).
 */
import type { StreamDirection } from './origin-wire/stream-contract.js';
import type { UserTarget } from './user-target.js';

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
  | { readonly op: 'delay'; readonly delayMs: number; readonly bytes: number; readonly jitterMs?: number }
  /**
   * `GET url` on a target of the user's own (`--target`, a scenario's `targets`; core/user-target.ts):
   * verified by status and length, and by `sha256Hex` when given. Never written in a mix by hand.
   */
  | { readonly op: 'get-target'; readonly url: string; readonly sha256Hex?: string }
  | StreamOperation;

/**
 * What one *exchange* asks of a stream target (docs/targets.md): a session on one stream, WebSocket
 * or UDP association of its own, opened through the proxy, that carries many messages or one bulk
 * transfer. Its latency is the whole session; each message's round trip goes to `rttMs`.
 */
export type StreamOperation =
  /** TCP echo: on one stream, `messages` times send `messageBytes` stream bytes and wait for their echo. */
  | { readonly op: 'tcp-echo'; readonly messageBytes: number; readonly messages: number }
  /** TCP source/sink: move `bytes` stream bytes down (target → client), up, or both at once, verified. */
  | { readonly op: 'tcp-bulk'; readonly bytes: number; readonly direction: StreamDirection }
  /** WebSocket echo: open a WebSocket, then `messages` times send a `format` message of `messageBytes` and wait for its echo. */
  | { readonly op: 'websocket'; readonly messageBytes: number; readonly messages: number; readonly format: WebSocketFormat }
  /**
   * UDP echo through a SOCKS5 UDP association (RFC 1928 §7): `datagrams` probes of `datagramBytes`
   * at `ratePerSecond`, each echo matched by its sequence number (loss, reordering, duplicates).
   */
  | { readonly op: 'udp-echo'; readonly datagramBytes: number; readonly datagrams: number; readonly ratePerSecond: number };

/** A WebSocket message's frame type. */
export type WebSocketFormat = 'text' | 'binary';

/** The operations that run as an exchange on a stream target, not as an HTTP request. */
export const STREAM_OPS: readonly StreamOperation['op'][] = ['tcp-echo', 'tcp-bulk', 'websocket', 'udp-echo'];

/** True for an operation that runs as an exchange (see {@link StreamOperation}). */
export function isStreamOperation(operation: RequestOperation): operation is StreamOperation {
  return (STREAM_OPS as readonly string[]).includes(operation.op);
}

/** One entry of a scenario's weighted mix; its `name` is the report's `byKind` key. */
export interface RequestMixEntry {
  /** Report key, e.g. `get-1k`. Unique within the scenario. */
  readonly kind: string;
  /** Relative weight (any positive number; weights are normalised). */
  readonly weight: number;
  readonly protocol: Protocol;
  /**
   * Which mock origin: plain HTTP, or HTTPS (TLS end to end, e.g. through a CONNECT tunnel). For a
   * `websocket` operation, `https` is the `wss://` echo; the TCP and UDP targets are plain (`http`).
   */
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
  /**
   * What each held connection is: `connection` (the default) a bare tunnel or connection, or
   * `websocket` a WebSocket to the echo (the upgrade after the tunnel; the trickle is then a
   * message echoed and verified, the mix's first entry a `websocket` operation).
   */
  readonly held?: HeldKind;
  /** Trickle mode: ms between two tiny requests on each connection; absent = idle. */
  readonly trickleIntervalMs?: number;
  /** How long the connections are held once all are open, ms. */
  readonly holdMs: number;
}

/** What a hold phase keeps open: a bare tunnel (or connection), or a WebSocket over one. */
export type HeldKind = 'connection' | 'websocket';

/** A complete scenario. */
export interface Scenario {
  readonly name: string;
  /** One line, shown by `proxybench scenarios`. */
  readonly description: string;
  readonly mix: readonly RequestMixEntry[];
  readonly defaults: ScenarioDefaults;
  /** Present: the run holds connections open instead of running the request loop. */
  readonly hold?: HoldSpec;
  /**
   * The protocols the scenario can go through, its default first (e.g. `websocket`: CONNECT,
   * SOCKS5, HTTP forward). The run takes the one `--via` names, else the first the given proxies
   * fit (the first, with the embedded proxies), and every mix entry and the hold phase go through
   * it; the report's `config.mix` shows which. Absent: the mix's protocols are fixed.
   */
  readonly routes?: readonly Protocol[];
  /**
   * Targets of the user's own (a scenario file's `targets`): the mix is then one `get-target`
   * kind per target, routed by the proxies the run is given (core/target-mix.ts).
   */
  readonly targets?: readonly UserTarget[];
}
