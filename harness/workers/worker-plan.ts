import { bodySha256Hex } from '../../core/origin-wire/deterministic-body.js';
import { delayPath, downloadPath, ECHO_DIGEST_PATH } from '../../core/origin-wire/origin-paths.js';
import { isStreamOperation, type Protocol, type RequestMixEntry, type Stage, type StreamOperation } from '../../core/scenario.js';
import { streamTargetNameOf, type PreparedExchange, type StreamTargets } from '../../core/exchange.js';
import { poolOf, proxyKindFor, type ProxyKind, type ProxySet } from '../../core/proxy-set.js';
import type { ProxyPick } from '../../core/proxy-pick.js';
import type { ProxyEndpoint } from '../../core/proxy-url.js';
import { userTargetRequest } from '../../core/user-target.js';
import { RECORDER_DEFAULTS } from '../recorder/recorder.js';
import type { OriginAddress, PreparedRequest } from '../../core/request.js';
import type { RunConfig } from '../config/run-config.js';
import { shardShare, splitEvenly, type ShardShare } from '../config/shard-share.js';
import type { BackoffOptions, LoadModel } from '../../core/run-settings.js';
import type { ExchangerOptions, TransportOptions } from '../transports/index.js';

/** Where one request of a kind goes: through one member of its kind's pool (or direct). */
export interface KindRoute {
  /** Index into {@link WorkerPlan.transports} (a request) or {@link WorkerPlan.exchangers} (an exchange). */
  readonly index: number;
  /** The proxy's index in the run's proxy list, under which the request is recorded; absent when direct. */
  readonly proxyIndex?: number;
}

/** One request kind as a worker runs it: an HTTP request through a transport, or an exchange through an exchanger. */
export type WorkerKind = {
  readonly kind: string;
  readonly weight: number;
  /** Index into {@link WorkerPlan.pools}: the pool a route is picked from per request; absent when direct. */
  readonly pool?: number;
  /** One per member of the pool, in pool order (one route when direct). */
  readonly routes: readonly KindRoute[];
} & (
  | { readonly type: 'request'; readonly request: PreparedRequest }
  | { readonly type: 'exchange'; readonly exchange: PreparedExchange }
);

/** A pool of proxies of one kind, as a worker picks from it. */
export interface WorkerPool {
  readonly kind: ProxyKind;
  /** Each member's weight, in pool order. */
  readonly weights: readonly number[];
}

/** A worker's share of the load. */
export type WorkerLoad = LoadModel;

/** Everything a worker thread needs, passed as `workerData` (structured-cloneable). */
export interface WorkerPlan {
  readonly workerIndex: number;
  readonly kinds: readonly WorkerKind[];
  readonly transports: readonly TransportOptions[];
  /** One per protocol the mix's stream operations go through and proxy they use. */
  readonly exchangers: readonly ExchangerOptions[];
  /** The pools the kinds pick from (one per proxy kind the mix uses). */
  readonly pools: readonly WorkerPool[];
  readonly proxyPick: ProxyPick;
  /** Proxies in the run's list: the recorder keeps figures for each. */
  readonly proxyCount: number;
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

/** Where the run's traffic goes. */
export interface RunEndpoints {
  readonly origins: { readonly http?: OriginAddress; readonly https?: OriginAddress };
  /** The stream targets the mix's stream operations go to. */
  readonly streams: StreamTargets;
  /** PEM of the test CA of the HTTPS origin and the wss echo. */
  readonly originCaPem?: string;
  readonly proxies: ProxySet;
}

/**
 * Splits the run into per-worker plans: each worker gets an even share of the concurrency or rate
 * (and of `--requests`), and the same mix. `protocolOverride` runs the mix with another protocol
 * (the direct baseline). A shard first takes its 1/count of the load.
 */
export function planWorkers(config: RunConfig, endpoints: RunEndpoints, protocolOverride?: Protocol): WorkerPlan[] {
  const mix = config.scenario.mix.map((entry) => (protocolOverride ? { ...entry, protocol: protocolOverride } : entry));
  const shardIndex = config.shard?.index ?? 0;
  const share = shardShare(config);
  const loads = splitLoad(share.load, config.workers);
  const requestShares = share.requests !== undefined ? splitEvenly(share.requests, loads.length) : undefined;
  const transports: TransportOptions[] = [];
  const exchangers: ExchangerOptions[] = [];
  const pools: WorkerPool[] = [];
  const kinds: WorkerKind[] = mix.map((entry, kindIndex) => {
    const seed = seedFor(config.seed, kindIndex);
    const { pool, members } = poolFor(endpoints.proxies, entry.protocol, pools);
    const base = { kind: entry.kind, weight: entry.weight, ...(pool !== undefined ? { pool } : {}) };
    if (isStreamOperation(entry.operation)) {
      // One exchanger per (protocol, proxy): each member's streams are its own.
      const routes = members.map(({ proxy, proxyIndex }) => ({
        index: indexOf(exchangers, (e) => e.protocol === entry.protocol && e.proxy === proxy, () => exchangerOptions(config, endpoints, entry.protocol, proxy)),
        ...(proxyIndex !== undefined ? { proxyIndex } : {}),
      }));
      return { ...base, routes, type: 'exchange', exchange: prepareExchange(entry, entry.operation, endpoints, seed) };
    }
    // One transport per (protocol, origin, proxy): connections are reused within a member only.
    const routes = members.map(({ proxy, proxyIndex }) => {
      const options = transportOptions(config, endpoints, entry, proxy);
      const index = indexOf(transports, (t) => t.protocol === options.protocol && t.origin === options.origin && t.proxy === proxy, () => options);
      return { index, ...(proxyIndex !== undefined ? { proxyIndex } : {}) };
    });
    return { ...base, routes, type: 'request', request: prepareRequest(entry, endpoints, seed) };
  });
  return loads.map((load, workerIndex) => {
    const connectionBound = load.model === 'closed' ? Math.max(load.concurrency, ...(load.stages ?? []).map((s) => s.target)) : load.maxInFlight;
    return {
      workerIndex,
      kinds,
      transports: transports.map((t) => ({ ...t, maxConnections: Math.max(1, Math.ceil(connectionBound)) })),
      exchangers,
      pools,
      proxyPick: endpoints.proxies.pick,
      proxyCount: endpoints.proxies.members.length,
      load,
      warmupMs: config.warmupMs,
      durationMs: config.durationMs,
      ...(requestShares ? { maxRequests: requestShares[workerIndex]! } : {}),
      backoff: config.backoff,
      seed: (config.seed * 7919 + shardIndex * 104_729 + workerIndex * 31) >>> 0,
      batchIntervalMs: RECORDER_DEFAULTS.batchIntervalMs,
      batchMaxSamples: RECORDER_DEFAULTS.batchMaxSamples,
      // Open model: worker i starts i/W of an inter-arrival interval later, so the merged arrivals are even.
      startOffsetMs: load.model === 'open' && load.rate > 0 ? (workerIndex / loads.length) * (1000 / load.rate) : 0,
    };
  });
}

/** Seeds differ per kind, so a body served for one kind never verifies as another's. */
function seedFor(runSeed: number, kindIndex: number): number {
  return (runSeed * 1000 + kindIndex) >>> 0;
}

/** Splits one shard's load over its workers. */
function splitLoad(load: ShardShare['load'], configuredWorkers: number): WorkerLoad[] {
  if (load.model === 'closed') {
    const peak = Math.max(load.concurrency, ...(load.stages ?? []).map((s) => s.target));
    // Never more workers than the concurrency can keep busy.
    const workers = Math.max(1, Math.min(configuredWorkers, peak));
    return splitEvenly(load.concurrency, workers).map((concurrency, i) => {
      const stages = load.stages?.map((s) => ({ durationMs: s.durationMs, target: splitEvenly(s.target, workers)[i]! }));
      return { model: 'closed', concurrency, ...(stages ? { stages } : {}) };
    });
  }
  const workers = configuredWorkers;
  // Whole in-flight shares that add up to the shard's limit, so the report's figure is what ran.
  const inFlightShares = splitEvenly(load.maxInFlight, workers);
  return inFlightShares.map((inFlight) => {
    const stages = load.stages?.map((s): Stage => ({ durationMs: s.durationMs, target: s.target / workers }));
    return { model: 'open', rate: load.rate / workers, maxInFlight: Math.max(1, inFlight), ...(stages ? { stages } : {}) };
  });
}

/** The members a protocol's requests go through (one `undefined` proxy when direct), and its pool's index in `pools` (added once). */
function poolFor(proxies: ProxySet, protocol: Protocol, pools: WorkerPool[]): { pool?: number; members: { proxy?: ProxyEndpoint; proxyIndex?: number }[] } {
  const kind = proxyKindFor(protocol);
  if (kind === undefined) return { members: [{}] };
  const pool = poolOf(proxies, kind);
  if (pool.length === 0) throw new Error(`no ${kind} proxy was given for ${protocol}`);
  const index = indexOf(pools, (p) => p.kind === kind, () => ({ kind, weights: pool.map(({ member }) => member.weight) }));
  return { pool: index, members: pool.map(({ member, index: proxyIndex }) => ({ proxy: member.endpoint, proxyIndex })) };
}

/** The index of the first item `matches`; `create`d and appended when none does. */
function indexOf<T>(items: T[], matches: (item: T) => boolean, create: () => T): number {
  const found = items.findIndex(matches);
  return found >= 0 ? found : items.push(create()) - 1;
}

function transportOptions(config: RunConfig, endpoints: RunEndpoints, entry: RequestMixEntry, proxy: ProxyEndpoint | undefined): TransportOptions {
  if (entry.operation.op === 'get-target') return targetTransportOptions(config, entry, entry.operation.url, proxy);
  const origin = entry.origin === 'https' ? endpoints.origins.https : endpoints.origins.http;
  if (!origin) throw new Error(`no ${entry.origin} origin was started for '${entry.kind}'`);
  return {
    protocol: entry.protocol,
    ...(proxy ? { proxy } : {}),
    origin,
    maxConnections: 1,
    connectionPolicy: config.connectionPolicy,
    timeouts: config.timeouts,
    ...(endpoints.originCaPem ? { originCaPem: endpoints.originCaPem } : {}),
  };
}

/** A user's own target: its origin is its URL's, trusted by the system CAs and `--target-ca` (never the mock CA). */
function targetTransportOptions(config: RunConfig, entry: RequestMixEntry, url: string, proxy: ProxyEndpoint | undefined): TransportOptions {
  const caPem = config.userTargets?.caPem;
  return {
    protocol: entry.protocol,
    ...(proxy ? { proxy } : {}),
    origin: userTargetRequest(url).origin,
    maxConnections: 1,
    connectionPolicy: config.connectionPolicy,
    timeouts: config.timeouts,
    ...(caPem !== undefined ? { originExtraCaPem: caPem } : {}),
  };
}

function exchangerOptions(config: RunConfig, endpoints: RunEndpoints, protocol: Protocol, proxy: ProxyEndpoint | undefined): ExchangerOptions {
  return {
    protocol,
    ...(proxy ? { proxy } : {}),
    timeouts: config.timeouts,
    ...(endpoints.originCaPem ? { targetCaPem: endpoints.originCaPem } : {}),
  };
}

/** A stream operation's exchange, aimed at the stream target its operation needs. */
function prepareExchange(entry: RequestMixEntry, op: StreamOperation, endpoints: RunEndpoints, seed: number): PreparedExchange {
  const name = streamTargetNameOf(entry.origin, op);
  const target = endpoints.streams[name];
  if (!target) throw new Error(`no ${name} target was started for '${entry.kind}'`);
  const base = { kind: entry.kind, target, seed };
  switch (op.op) {
    case 'tcp-echo':
      return { ...base, op: 'tcp-echo', messageBytes: op.messageBytes, messages: op.messages };
    case 'tcp-bulk':
      return { ...base, op: 'tcp-bulk', bytes: op.bytes, direction: op.direction };
    case 'websocket':
      return { ...base, op: 'websocket', tls: entry.origin === 'https', messageBytes: op.messageBytes, messages: op.messages, format: op.format };
    case 'udp-echo':
      return { ...base, op: 'udp-echo', datagramBytes: op.datagramBytes, datagrams: op.datagrams, ratePerSecond: op.ratePerSecond };
  }
}

function prepareRequest(entry: RequestMixEntry, endpoints: RunEndpoints, seed: number): PreparedRequest {
  const origin = entry.origin === 'https' ? endpoints.origins.https! : endpoints.origins.http!;
  const op = entry.operation;
  switch (op.op) {
    case 'get-target': {
      const target = userTargetRequest(op.url);
      return {
        kind: entry.kind,
        method: 'GET',
        origin: target.origin,
        path: target.path,
        ...(target.authorization !== undefined ? { headers: ['authorization', target.authorization] } : {}),
        expect: op.sha256Hex !== undefined ? { kind: 'sha256', sha256Hex: op.sha256Hex } : { kind: 'length' },
      };
    }
    case 'download':
      return { kind: entry.kind, method: 'GET', origin, path: downloadPath(op.bytes, seed), expect: { kind: 'deterministic', bytes: op.bytes, seed } };
    case 'delay':
      return { kind: entry.kind, method: 'GET', origin, path: delayPath(op.delayMs, op.bytes, seed, op.jitterMs), expect: { kind: 'deterministic', bytes: op.bytes, seed } };
    case 'upload':
      return {
        kind: entry.kind,
        method: 'POST',
        origin,
        path: ECHO_DIGEST_PATH,
        upload: { bytes: op.bytes, seed },
        expect: { kind: 'upload-digest', bytes: op.bytes, sha256Hex: bodySha256Hex(seed, op.bytes) },
      };
    default:
      throw new Error(`'${entry.kind}' is a stream operation (${op.op}), not an HTTP request`);
  }
}
