import { performance } from 'node:perf_hooks';
import { startReferenceProxies } from '../../mock-targets/proxies/reference-proxies.js';
import { proxiesOf, proxyKindsNeeded, proxySetOf, type ProxySet } from '../../core/proxy-set.js';
import type { SutResources } from '../../reports/schema.js';
import { redactProxyUrl, type ProxyEndpoint } from '../../core/proxy-url.js';
import { SutError, UsageError } from '../../core/errors.js';
import { attachSut } from '../sut/attached-sut.js';
import { spawnSut, type SpawnedSut } from '../sut/spawned-sut.js';
import { SutMonitor } from '../sut/sut-monitor.js';
import { SUT_DEFAULTS } from '../sut/sut-defaults.js';
import { canConnect, waitForPort } from '../sut/wait-for-port.js';
import { watchProcessExit } from '../sut/watch-exit.js';
import { redactCommand, redactPasswords } from '../config/redact-secrets.js';
import type { RunConfig } from '../config/run-config.js';
import type { SutOptions } from '../config/run-options.js';
import type { RunTargets } from './start-targets.js';

/** The proxy under test as a run uses it: where it listens, and its process being sampled. */
export interface RunSut {
  /** Where the proxies listen: the given ones, or the embedded reference proxies' addresses. */
  readonly proxies: ProxySet;
  /** Absent when the proxy is external and neither --sut nor --sut-pid was given. */
  readonly monitor?: SutMonitor;
  readonly source?: SutResources['source'];
  /** The command line, the proxies' passwords redacted. */
  readonly command?: string;
  /** Spawned: from spawn until every proxy port accepted a connection, ms. */
  readonly startupMs?: number;
  /** Resolves if a spawned or embedded SUT exits while the run is going. */
  readonly exitedEarly?: Promise<string>;
  stop(): Promise<void>;
}

type SpawnOptions = Extract<SutOptions, { kind: 'spawn' }>;

/**
 * Gets the proxy under test: the embedded reference proxies (no --proxy), a --sut command started
 * here, an attached --sut-pid, or an external proxy that is only driven, not sampled.
 */
export async function startRunSut(config: RunConfig, targets: RunTargets): Promise<RunSut> {
  const endpoints = { proxies: config.proxies };
  const monitorOf = (pid: number): SutMonitor => {
    const monitor = new SutMonitor({ pid, intervalMs: config.sutSampleIntervalMs });
    monitor.start();
    return monitor;
  };
  if (config.embeddedProxies) {
    const needed = proxyKindsNeeded(config.scenario);
    const allow = targets.addresses.map((a) => ({ host: a.host, port: a.port }));
    const proxies = await startReferenceProxies({ http: needed.has('http'), socks5: needed.has('socks5'), allow });
    const monitor = monitorOf(proxies.pid);
    return {
      proxies: proxySetOf([proxies.http, proxies.socks5].filter((p) => p !== undefined), config.proxies.pick),
      monitor,
      source: 'embedded',
      command: 'proxybench reference proxies',
      startupMs: proxies.startupMs,
      exitedEarly: proxies.exited.then((e) => `the reference proxies exited during the run (${e.signal ?? `code ${e.code}`})`),
      stop: async () => {
        await monitor.stop();
        await proxies.stop();
      },
    };
  }
  const sut = config.sut;
  if (sut?.kind === 'spawn') {
    const { spawned, startupMs } = await spawnUntilEveryPortReady(config, sut);
    const monitor = monitorOf(spawned.pid);
    return {
      ...endpoints,
      monitor,
      source: 'spawned',
      command: redactCommand(spawned.command, config),
      startupMs,
      exitedEarly: spawned.exitedWithOutput.then((e) => {
        const tail = spawned.stderrTail(5);
        return redactPasswords(`the proxy under test exited during the run (${e.signal ?? `code ${e.code}`})${tail ? `; its last output:\n${tail}` : ''}`, config);
      }),
      stop: async () => {
        await monitor.stop();
        await spawned.stop();
      },
    };
  }
  if (sut?.kind === 'attach') {
    const attached = await attachSut(sut.pid);
    const monitor = monitorOf(attached.pid);
    // Not our child: its exit event is its parent's, so /proc is polled at the sampling interval.
    const watch = watchProcessExit(attached.pid, config.sutSampleIntervalMs);
    return {
      ...endpoints,
      monitor,
      source: 'attached',
      // A process's own command line may carry the proxy's password (microsocks -P).
      command: redactCommand(attached.command, config),
      exitedEarly: watch.exited.then(() => `the attached proxy under test (pid ${attached.pid}) exited during the run`),
      stop: async () => {
        watch.stop();
        await monitor.stop();
      },
    };
  }
  return { ...endpoints, stop: async () => undefined };
}

/**
 * Spawns a --sut command and waits until every proxy port of the run accepts a connection: the
 * first through spawnSut, the others here within what is left of the same ready timeout. One
 * command may start several proxies (`sh -c "squid … & exec danted …"` for proxy-mixed), and a run
 * that sent SOCKS5 requests before dante listened would count its start-up as failures.
 * `startupMs` covers the wait for all of them. Errors are SutErrors with passwords redacted.
 */
async function spawnUntilEveryPortReady(config: RunConfig, sut: SpawnOptions): Promise<{ spawned: SpawnedSut; startupMs: number }> {
  const redact = (text: string): string => redactPasswords(text, config);
  const [first, ...others] = distinctPorts(proxiesOf(config.proxies));
  if (!first) throw new UsageError('--sut', 'needs --proxy too, to say where the proxy under test listens');
  for (const port of others) {
    if (await canConnect(port.host, port.port)) {
      throw new SutError(`${port.host}:${port.port} already accepts connections before the SUT started: another process holds the port`);
    }
  }
  const readyTimeoutMs = sut.readyTimeoutMs ?? SUT_DEFAULTS.readyTimeoutMs;
  let spawned: SpawnedSut;
  try {
    spawned = await spawnSut({
      command: sut.command,
      ...(sut.cwd ? { cwd: sut.cwd } : {}),
      ...(sut.env ? { env: sut.env } : {}),
      ready: first,
      readyTimeoutMs,
      ...(sut.stopGraceMs !== undefined ? { stopGraceMs: sut.stopGraceMs } : {}),
    });
  } catch (err) {
    if (!(err instanceof SutError)) throw err;
    // spawnSut shows the command with URL passwords redacted only; show it as the report does.
    const message = err.message.replaceAll(redactProxyUrl(sut.command), () => redactCommand(sut.command, config));
    throw new SutError(redact(message), redact(err.stderrTail));
  }
  const waitStartMs = performance.now();
  const exited = new AbortController();
  void spawned.exited.then(() => exited.abort());
  for (const port of others) {
    // At least 1 ms: waitForPort gives up before its first attempt when no time is left.
    const leftMs = Math.max(1, readyTimeoutMs - spawned.startupMs - (performance.now() - waitStartMs));
    if (await waitForPort(port.host, port.port, leftMs, exited.signal)) continue;
    const exit = exited.signal.aborted ? await spawned.exited : undefined;
    await spawned.stop();
    const why = exit
      ? `exited (${exit.signal ?? `code ${exit.code}`}) before ${port.host}:${port.port} accepted connections`
      : `accepted connections on ${first.host}:${first.port} but not on ${port.host}:${port.port} within ${readyTimeoutMs} ms; it was stopped`;
    const tail = redact(spawned.stderrTail());
    throw new SutError(`the SUT '${redactCommand(sut.command, config)}' ${why}`, tail);
  }
  return { spawned, startupMs: spawned.startupMs + (performance.now() - waitStartMs) };
}

/** The proxies' listening addresses, each host:port once (one proxy may speak both protocols). */
function distinctPorts(proxies: readonly (ProxyEndpoint | undefined)[]): { host: string; port: number }[] {
  const seen = new Map<string, { host: string; port: number }>();
  for (const p of proxies) if (p && !seen.has(`${p.host}:${p.port}`)) seen.set(`${p.host}:${p.port}`, { host: p.host, port: p.port });
  return [...seen.values()];
}
