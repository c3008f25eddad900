import { startReferenceProxies } from '../../mock-targets/proxies/reference-proxies.js';
import { proxyProtocolsNeeded } from '../../scenarios/scenario.js';
import type { SutResources } from '../../reports/schema.js';
import type { ProxyEndpoint } from '../config/proxy-url.js';
import { attachSut } from '../sut/attached-sut.js';
import { spawnSut } from '../sut/spawned-sut.js';
import { SutMonitor } from '../sut/sut-monitor.js';
import type { RunConfig } from './run-config.js';
import type { RunTargets } from './run-targets.js';

/** The proxy under test as a run uses it: where it listens, and its process being sampled. */
export interface RunSut {
  readonly httpProxy?: ProxyEndpoint;
  readonly socksProxy?: ProxyEndpoint;
  /** Absent when the proxy is external and neither --sut nor --sut-pid was given. */
  readonly monitor?: SutMonitor;
  readonly source?: SutResources['source'];
  readonly command?: string;
  readonly startupMs?: number;
  /** Resolves if a spawned or embedded SUT exits while the run is going. */
  readonly exitedEarly?: Promise<string>;
  stop(): Promise<void>;
}

/**
 * Gets the proxy under test: the embedded reference proxies (no --proxy), a --sut command started
 * here, an attached --sut-pid, or an external proxy that is only driven, not sampled.
 */
export async function startRunSut(config: RunConfig, targets: RunTargets): Promise<RunSut> {
  const endpoints = { ...(config.httpProxy ? { httpProxy: config.httpProxy } : {}), ...(config.socksProxy ? { socksProxy: config.socksProxy } : {}) };
  const monitorOf = (pid: number): SutMonitor => {
    const monitor = new SutMonitor({ pid, intervalMs: config.sutSampleIntervalMs });
    monitor.start();
    return monitor;
  };
  if (config.embeddedProxies) {
    const needed = proxyProtocolsNeeded(config.scenario);
    const allow = targets.addresses.map((a) => ({ host: a.host, port: a.port }));
    const proxies = await startReferenceProxies({ http: needed.has('http'), socks5: needed.has('socks5'), allow });
    const monitor = monitorOf(proxies.pid);
    return {
      ...(proxies.http ? { httpProxy: proxies.http } : {}),
      ...(proxies.socks5 ? { socksProxy: proxies.socks5 } : {}),
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
    const first = config.httpProxy ?? config.socksProxy!;
    const spawned = await spawnSut({
      command: sut.command,
      ...(sut.cwd ? { cwd: sut.cwd } : {}),
      ...(sut.env ? { env: sut.env } : {}),
      ready: { host: first.host, port: first.port },
      ...(sut.readyTimeoutMs !== undefined ? { readyTimeoutMs: sut.readyTimeoutMs } : {}),
      ...(sut.stopGraceMs !== undefined ? { stopGraceMs: sut.stopGraceMs } : {}),
    });
    const monitor = monitorOf(spawned.pid);
    return {
      ...endpoints,
      monitor,
      source: 'spawned',
      command: spawned.command,
      startupMs: spawned.startupMs,
      exitedEarly: spawned.exited.then((e) => `the proxy under test exited during the run (${e.signal ?? `code ${e.code}`}): ${spawned.stderrTail(5)}`),
      stop: async () => {
        await monitor.stop();
        await spawned.stop();
      },
    };
  }
  if (sut?.kind === 'attach') {
    const attached = await attachSut(sut.pid);
    const monitor = monitorOf(attached.pid);
    return { ...endpoints, monitor, source: 'attached', command: attached.command, stop: () => monitor.stop() };
  }
  return { ...endpoints, stop: async () => undefined };
}
