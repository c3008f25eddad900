import { availableParallelism } from 'node:os';
import { loadScenario } from '../../scenarios/load-scenario.js';
import type { HoldSpec, Scenario } from '../../core/scenario.js';
import { checkProxySetFits, poolOf, proxiesOf, proxyKindsNeeded, type ProxySet } from '../../core/proxy-set.js';
import type { ReportConfig } from '../../reports/schema.js';
import { formatProxyEndpoint } from '../../core/proxy-url.js';
import { UsageError } from '../../core/errors.js';
import { BACKOFF_DEFAULTS, type BackoffOptions } from '../load/backoff.js';
import { stagesDurationMs } from '../../core/stages.js';
import { redactCommand } from './redact-secrets.js';
import type { RunOptions, SutOptions } from './run-options.js';
import { resolveTargets } from './resolve-targets.js';
import { pickRoute } from './pick-route.js';
import { resolveUserTargets, type UserTargets } from './resolve-user-targets.js';
import { redactedMixEntry, verificationOf } from '../../core/target-mix.js';
import { redactUserInfo } from '../../core/user-target.js';
import { resolveProxies } from './resolve-proxies.js';
import type { RunSettings } from '../../core/run-settings.js';

/** proxybench's own defaults, where neither a flag nor the scenario says otherwise. */
export const RUN_DEFAULTS = {
  /** Worker threads: half the cores, at least 1 (the other half is for the proxy under test). */
  workers: Math.max(1, Math.floor(availableParallelism() / 2)),
  timeoutMs: 10_000,
  /** Phase timeouts; each is capped by the whole-request timeout. */
  connectTimeoutMs: 3_000,
  handshakeTimeoutMs: 3_000,
  ttfbTimeoutMs: 10_000,
  idleTimeoutMs: 10_000,
  /** Open model: most requests in flight over all workers, so a dead proxy cannot exhaust the harness. */
  maxInFlight: 10_000,
  sutSampleIntervalMs: 250,
  seed: 1,
} as const;

/** The run as it will be carried out: every value decided and validated. */
export type RunConfig = RunSettings & {
  readonly scenario: Scenario;
  /**
   * The proxies given (`--proxy`, `--proxy-file`, `--proxy env`) and how requests pick among a
   * kind's pool (`--proxy-pick`); no members when the run starts its own reference proxies.
   */
  readonly proxies: ProxySet;
  /** True when the run starts its own reference proxies. */
  readonly embeddedProxies: boolean;
  readonly sut?: SutOptions;
  /** Present when the run drives the user's own targets (`--target`); the mix is then theirs. */
  readonly userTargets?: UserTargets;
};

/** Resolves and validates options into a config. Throws UsageError naming the field. */
export async function resolveRunConfig(options: RunOptions): Promise<RunConfig> {
  const loaded = typeof options.scenario === 'string' ? await loadScenario(options.scenario) : options.scenario;
  const placement = await resolveTargets(options, loaded);
  const { proxies, given, field } = await resolveProxies(options, loaded, placement);
  const targeted = await resolveUserTargets(options, loaded, proxies);
  // The user's own targets make the mix themselves; otherwise a scenario with routes takes the one --via or the proxies pick.
  const scenario = targeted?.scenario ?? pickRoute(loaded, proxies, options.via);
  const d = scenario.defaults;
  // Checked once the route is known: `websocket --proxy socks5://…` goes through SOCKS5, not CONNECT.
  if (given) checkProxySetFits(field ?? '--proxy', proxies, scenario);
  const embeddedProxies = !given && proxyKindsNeeded(scenario).size > 0;
  if (options.sut && embeddedProxies) {
    throw new UsageError(options.sut.kind === 'spawn' ? '--sut' : '--sut-pid', 'needs --proxy too, to say where the proxy under test listens (e.g. --proxy http://127.0.0.1:3128)');
  }
  const stages = options.stages ?? d.stages;
  if (options.rate !== undefined && options.concurrency !== undefined) {
    throw new UsageError('--rate', 'cannot be combined with --concurrency: --rate is the open model, --concurrency the closed one');
  }
  const rate = options.rate ?? (options.concurrency === undefined ? d.rate : undefined);
  const load: RunConfig['load'] = rate !== undefined
    ? { model: 'open', rate: positive('--rate', rate), maxInFlight: wholePositive('--max-in-flight', options.maxInFlight ?? RUN_DEFAULTS.maxInFlight), ...(stages ? { stages } : {}) }
    : { model: 'closed', concurrency: wholePositive('--concurrency', options.concurrency ?? d.concurrency), ...(stages ? { stages } : {}) };
  const explicitDuration = options.durationMs ?? (stages && stages.length > 0 ? stagesDurationMs(stages) : undefined);
  // A count-bounded run with no duration given runs until the count is done (capped at an hour).
  const durationMs = explicitDuration ?? (options.requests !== undefined ? 3_600_000 : d.durationMs);
  const timeoutMs = positive('--timeout', options.timeoutMs ?? RUN_DEFAULTS.timeoutMs);
  const t = options.timeouts ?? {};
  const cap = (v: number): number => Math.min(v, timeoutMs);
  const config: RunConfig = {
    scenario,
    proxies,
    embeddedProxies,
    durationMs: positive('--duration', durationMs),
    warmupMs: nonNegative('--warmup', options.warmupMs ?? d.warmupMs),
    ...(options.requests !== undefined ? { requests: wholePositive('--requests', options.requests) } : {}),
    load,
    workers: wholePositive('--workers', options.workers ?? RUN_DEFAULTS.workers),
    timeouts: {
      connectMs: positive('--connect-timeout', t.connectMs ?? cap(RUN_DEFAULTS.connectTimeoutMs)),
      handshakeMs: positive('--handshake-timeout', t.handshakeMs ?? cap(RUN_DEFAULTS.handshakeTimeoutMs)),
      ttfbMs: positive('--ttfb-timeout', t.ttfbMs ?? cap(RUN_DEFAULTS.ttfbTimeoutMs)),
      idleMs: positive('--idle-timeout', t.idleMs ?? cap(RUN_DEFAULTS.idleTimeoutMs)),
      totalMs: positive('--timeout', t.totalMs ?? timeoutMs),
    },
    backoff: { ...BACKOFF_DEFAULTS, ...options.backoff },
    connectionPolicy: options.connectionPolicy ?? d.connectionPolicy ?? 'keep-alive',
    seed: options.seed ?? RUN_DEFAULTS.seed,
    ...(options.sut ? { sut: options.sut } : {}),
    sutSampleIntervalMs: positive('--sut-sample-interval', options.sutSampleIntervalMs ?? RUN_DEFAULTS.sutSampleIntervalMs),
    directBaseline: options.directBaseline ?? false,
    thresholds: [...(d.thresholds ?? []), ...(options.thresholds ?? [])],
    ...(options.shard ? { shard: validShard(options.shard) } : {}),
    ...(options.startAtMs !== undefined ? { startAtMs: options.startAtMs } : {}),
    ...placement,
    ...(targeted ? { userTargets: targeted.userTargets } : {}),
  };
  validateBackoff(config.backoff);
  const hold = resolveHold(scenario, options);
  // A hold run has no warm-up; its measured time is the hold.
  return hold ? { ...config, hold, durationMs: hold.holdMs, warmupMs: 0 } : config;
}

/** The scenario's hold phase with --connections, --hold and --trickle applied; undefined for a request loop. */
function resolveHold(scenario: Scenario, options: RunOptions): HoldSpec | undefined {
  const hold = scenario.hold;
  if (!hold) {
    const flag = options.connections !== undefined ? '--connections' : options.holdMs !== undefined ? '--hold' : options.trickleIntervalMs !== undefined ? '--trickle' : undefined;
    if (flag) throw new UsageError(flag, `applies only to hold scenarios such as many-connections; '${scenario.name}' runs a request loop`);
    return undefined;
  }
  if (hold.protocol === 'http-forward' && hold.origin === 'https') {
    throw new UsageError('scenario.hold.origin', "an HTTPS origin cannot be reached through a forward connection; use protocol 'connect'");
  }
  // The mix's first entry is the trickle request: the origin it names is the one the run starts.
  const trickle = scenario.mix[0];
  if (trickle?.protocol !== hold.protocol || trickle.origin !== hold.origin) {
    throw new UsageError('scenario.mix[0]', `a hold scenario's first mix entry is its trickle request and must use the hold's protocol and origin (${hold.protocol}, ${hold.origin})`);
  }
  if (hold.held === 'websocket' && trickle.operation.op !== 'websocket') {
    throw new UsageError('scenario.mix[0]', "a hold of WebSockets trickles a WebSocket message: its first mix entry needs a 'websocket' operation");
  }
  const trickleIntervalMs = options.trickleIntervalMs ?? hold.trickleIntervalMs;
  return {
    connections: wholePositive('--connections', options.connections ?? hold.connections),
    protocol: hold.protocol,
    origin: hold.origin,
    ...(hold.held ? { held: hold.held } : {}),
    holdMs: positive('--hold', options.holdMs ?? hold.holdMs),
    ...(trickleIntervalMs !== undefined ? { trickleIntervalMs: positive('--trickle', trickleIntervalMs) } : {}),
  };
}

function positive(field: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(field, `expects a value > 0 (got ${value})`);
  return value;
}

function nonNegative(field: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new UsageError(field, `expects a value ≥ 0 (got ${value})`);
  return value;
}

function wholePositive(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new UsageError(field, `expects a whole number ≥ 1 (got ${value})`);
  return value;
}

function validShard(shard: { index: number; count: number }): { index: number; count: number } {
  if (!Number.isInteger(shard.count) || shard.count < 1 || !Number.isInteger(shard.index) || shard.index < 0 || shard.index >= shard.count) {
    throw new UsageError('--shard', `expects INDEX/COUNT with 0 ≤ INDEX < COUNT, e.g. 0/4 (got ${shard.index}/${shard.count})`);
  }
  return { index: shard.index, count: shard.count };
}

function validateBackoff(b: BackoffOptions): void {
  if (!(b.initialMs >= 0)) throw new UsageError('--backoff-initial', `expects a duration ≥ 0 (got ${b.initialMs})`);
  if (!(b.factor >= 1)) throw new UsageError('--backoff-factor', `expects a number ≥ 1 (got ${b.factor})`);
  if (!(b.maxMs >= b.initialMs)) throw new UsageError('--backoff-max', `expects a duration ≥ --backoff-initial (got ${b.maxMs})`);
  if (!(b.jitter >= 0 && b.jitter <= 1)) throw new UsageError('--backoff-jitter', `expects a fraction from 0 to 1 (got ${b.jitter})`);
}

/**
 * The config as the report shows it ({@link ReportConfig}): secrets redacted, proxies as URLs
 * (password `***`), the SUT's env as names only. `driven` is the proxies the run actually went
 * through: the given ones, or the embedded reference proxies' addresses once they started.
 */
export function reportConfig(config: RunConfig, driven: ProxySet = config.proxies): ReportConfig {
  const { scenario, proxies: _given, sut, userTargets, ...rest } = config;
  return {
    ...rest,
    scenario: scenario.name,
    mix: scenario.mix.map(redactedMixEntry),
    ...(userTargets ? { userTargets: scenario.mix.map((entry, i) => ({ url: redactUserInfo(userTargets.targets[i]!.url), kind: entry.kind, verification: verificationOf(entry.operation) })) } : {}),
    proxies: proxiesOf(driven).map(formatProxyEndpoint),
    ...poolConfig(driven),
    ...(sut ? { sut: sut.kind === 'spawn' ? { kind: 'spawn', command: redactCommand(sut.command, config), ...(sut.cwd ? { cwd: sut.cwd } : {}), env: Object.keys(sut.env ?? {}) } : sut } : {}),
  };
}

/**
 * The pick policy and weights, shown only for a run with a pool (more than one proxy of a kind):
 * with one proxy per kind there is nothing to pick, and the config keeps its earlier shape.
 */
function poolConfig(driven: ProxySet): Pick<ReportConfig, 'proxyPick' | 'proxyWeights'> {
  const pooled = (['http', 'socks5'] as const).some((kind) => poolOf(driven, kind).length > 1);
  if (!pooled) return {};
  return { proxyPick: driven.pick, ...(driven.pick === 'weighted' ? { proxyWeights: driven.members.map((m) => m.weight) } : {}) };
}
