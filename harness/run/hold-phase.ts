import { setTimeout as delay } from 'node:timers/promises';
import type { HeldConnections, ReportWarning } from '../../reports/schema.js';
import type { WorkerHealth } from '../recorder/batch.js';
import type { PhaseResult } from '../report-assembly/build-report.js';
import type { HarnessMonitor, HarnessUsage } from '../recorder/harness-monitor.js';
import type { RunEndpoints } from '../workers/worker-plan.js';
import type { RunConfig } from '../config/run-config.js';
import type { RunProgress } from '../config/run-options.js';
import type { RunSut } from './start-sut.js';
import { shardShare } from '../config/shard-share.js';
import { fdBudget, fdLimitWarning, openFilesLimit } from '../hold/fd-limit.js';
import { holdConnections } from '../hold/hold-connections.js';
import { HOLD_DEFAULTS } from '../hold/hold-defaults.js';
import { TrickleRecorder } from '../hold/trickle-recorder.js';
import { prepareTrickleRequest } from '../hold/trickle-response.js';
import type { TunnelRoute } from '../transports/index.js';
import type { HeldStrategy } from '../hold/held-strategy.js';
import { heldTunnels } from '../hold/held-tunnels.js';
import { heldWebSockets } from '../hold/held-websocket.js';
import type { RequestMixEntry } from '../../core/scenario.js';
import type { OriginAddress } from '../../core/request.js';
import { poolOf, proxyKindFor } from '../../core/proxy-set.js';

/** What a hold phase leaves for run(): a load phase's figures (the trickle requests) and the held connections. */
export interface HoldPhaseOutcome extends PhaseResult {
  /** No worker threads run in a hold phase. */
  readonly health: readonly WorkerHealth[];
  readonly usage: HarnessUsage;
  readonly startAtWallMs: number;
  readonly interrupted: boolean;
  readonly held: HeldConnections;
  /** `harness_limit` findings: the fd limit up front, and failures on our side. */
  readonly warnings: readonly ReportWarning[];
}

/**
 * Runs a hold scenario (`config.hold`) in place of the request loop: opens and holds the
 * connections in this thread (idle sockets cost no CPU worth a worker), with the harness and SUT
 * monitors marking the whole of it as the measured phase.
 */
export async function runHoldPhase(
  config: RunConfig,
  endpoints: RunEndpoints,
  monitors: { readonly harness: HarnessMonitor; readonly sut: RunSut },
  signal?: AbortSignal,
  onProgress?: (progress: RunProgress) => void,
): Promise<HoldPhaseOutcome> {
  const hold = config.hold!;
  // A shard holds its share, as it takes its share of a request loop's load.
  const connections = shardShare(config).connections ?? hold.connections;
  const kind = config.scenario.mix[0]!;
  const routes = heldRoutes(config, endpoints);
  const fdLimit = openFilesLimit();
  const maxOpen = fdBudget(fdLimit, HOLD_DEFAULTS.reserveFds);
  const recorder = new TrickleRecorder(kind.kind, endpoints.proxies.members.length);
  const monitor = monitors.sut.monitor;
  // Shards of a distributed run start opening together (--start-at), as their request loops would.
  if (config.startAtMs !== undefined) await delay(Math.max(0, config.startAtMs - Date.now()), undefined, signal ? { signal } : {}).catch(() => undefined);
  const startAtWallMs = Date.now();
  await monitors.harness.markMeasureStart();
  monitor?.markMeasureStart();
  const outcome = await holdConnections({
    routes: routes.map((r) => r.route),
    strategies: routes.map((r) => heldStrategy(config, r.route, kind)),
    connections,
    holdMs: hold.holdMs,
    ...(maxOpen !== undefined ? { maxOpen } : {}),
    ...(hold.trickleIntervalMs !== undefined
      ? {
          trickle: { intervalMs: hold.trickleIntervalMs, record: (o, routeIndex) => recorder.record(o, routes[routeIndex]!.proxyIndex) },
        }
      : {}),
    ...(monitor ? { sampleSutRssMiB: () => monitor.sampleRssMiB() } : {}),
    ...(signal ? { signal } : {}),
    ...(onProgress
      ? {
          onProgress: (held) => {
            const trickled = recorder.counts();
            // The planned time is the hold's; opening takes what it takes before it.
            onProgress({ phase: 'hold', elapsedMs: held.heldForMs, plannedMs: hold.holdMs, ...trickled, lastSecondRps: 0, lastSecondP99Ms: 0, held });
          },
        }
      : {}),
  });
  const usage = await monitors.harness.markMeasureEnd();
  monitor?.markMeasureEnd();
  const held = outcome.held;
  // One warning: what did fail on our side, else what may have limited the embedded proxy.
  const limitWarning = held.hint !== undefined
    ? `${held.errors.harness_limit ?? 0} connection(s) failed on the harness's own limit, not the proxy's. ${held.hint}`
    : fdLimitWarning(connections, fdLimit, HOLD_DEFAULTS.reserveFds, config.embeddedProxies);
  const warnings: ReportWarning[] = limitWarning ? [{ code: 'harness_limit', message: limitWarning }] : [];
  const { kinds, proxies, series } = recorder.finish();
  return { kinds, proxies, series, measuredMs: Math.max(1, held.holdMs), health: [], usage, startAtWallMs, interrupted: outcome.interrupted, held, warnings };
}

/**
 * How each connection is held: a WebSocket with a message as its trickle, or a bare tunnel with a
 * tiny GET (the mix's first entry says its size).
 */
function heldStrategy(config: RunConfig, route: TunnelRoute, kind: RequestMixEntry): HeldStrategy {
  // Seeded as plan-workers.ts seeds the mix's first kind, so the bytes match a request loop's.
  const seed = (config.seed * 1000) >>> 0;
  const op = kind.operation;
  if (config.hold!.held === 'websocket' && op.op === 'websocket') {
    return heldWebSockets(route, { seed, format: op.format, messageBytes: op.messageBytes });
  }
  const bodyBytes = op.op === 'download' ? op.bytes : HOLD_DEFAULTS.trickleBodyBytes;
  return heldTunnels(route, prepareTrickleRequest(route, bodyBytes, seed));
}

/**
 * Where the held connections go: the scenario's origin (the WebSocket echo for held WebSockets),
 * through each proxy of the pool its protocol needs (one route when direct), with the proxy's
 * index for the report's byProxy.
 */
function heldRoutes(config: RunConfig, endpoints: RunEndpoints): { route: TunnelRoute; proxyIndex?: number }[] {
  const hold = config.hold!;
  const origin = hold.held === 'websocket' ? webSocketEchoOf(endpoints, hold.origin) : hold.origin === 'https' ? endpoints.origins.https : endpoints.origins.http;
  if (!origin) throw new Error(`no ${hold.origin} ${hold.held === 'websocket' ? 'WebSocket echo' : 'origin'} was started for the hold`);
  const kind = proxyKindFor(hold.protocol);
  const members = kind === undefined ? [undefined] : poolOf(endpoints.proxies, kind);
  return members.map((m) => ({
    route: {
      protocol: hold.protocol,
      ...(m ? { proxy: m.member.endpoint } : {}),
      origin,
      ...(endpoints.originCaPem ? { originCaPem: endpoints.originCaPem } : {}),
      timeouts: config.timeouts,
    },
    ...(m ? { proxyIndex: m.index } : {}),
  }));
}

/** The WebSocket echo (ws:// for http, wss:// for https) as the origin of held WebSockets. */
function webSocketEchoOf(endpoints: RunEndpoints, origin: 'http' | 'https'): OriginAddress | undefined {
  const target = origin === 'https' ? endpoints.streams.webSocketEchoTls : endpoints.streams.webSocketEcho;
  return target ? { protocol: origin, host: target.host, port: target.port } : undefined;
}
