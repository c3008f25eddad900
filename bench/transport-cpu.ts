import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Pool, ProxyAgent, type Dispatcher } from 'undici';
import type { ProxyEndpoint } from '../core/proxy-url.js';
import { createTransport } from '../harness/transports/create-transport.js';
import type { OriginAddress, PreparedRequest, RequestOutcome } from '../core/request.js';
import type { Transport } from '../harness/transports/transport.js';
import { startOriginProcess } from '../mock-targets/origins/origin-launcher.js';
import { downloadPath } from '../core/origin-wire/origin-paths.js';
import { startReferenceProxies } from '../mock-targets/proxies/reference-proxies.js';
import type { Protocol } from '../core/scenario.js';

/**
 * Harness CPU per request of each transport: a closed loop of `inFlight` requests for
 * `durationMs` (after `warmupMs`) through the reference proxies (their own process) to the mock
 * origins (another process), so this process's `process.cpuUsage()` is the transport's cost alone.
 * Prints req/s and µs of CPU per request per transport, and the same loop with plain undici
 * (Pool direct, ProxyAgent forward and CONNECT) as in-session yardsticks (docs/performance.md: compare
 * ratios taken in one session, not absolutes).
 *
 *   npm run build && node dist/bench/transport-cpu.js [--duration-ms 5000] [--in-flight 50] [--bytes 1024] [--only direct]
 */

/** What one benchmark run does. */
interface BenchOptions {
  /** Measured time per transport, ms. */
  readonly durationMs: number;
  /** Unmeasured time per transport before it, ms (connections opened, JIT warm). */
  readonly warmupMs: number;
  /** Requests in flight (and connections per transport). */
  readonly inFlight: number;
  /** Size of the deterministic body of each GET, bytes. */
  readonly bodyBytes: number;
  /** Only the routes whose name starts with this (e.g. `direct`, `socks5 → https`, `undici`). */
  readonly only: string;
}

/** Tunables; `--duration-ms`, `--in-flight` and `--bytes` override them. */
export const DEFAULTS: BenchOptions = {
  durationMs: 5_000,
  warmupMs: 1_000,
  inFlight: 50,
  bodyBytes: 1_024,
  only: '',
};

interface Targets {
  readonly http: OriginAddress;
  readonly https: OriginAddress;
  readonly caPem: string;
}

interface LoopResult {
  readonly requests: number;
  readonly failures: number;
  readonly newConnections: number;
  readonly staleRetries: number;
  readonly cpuUs: number;
  readonly wallMs: number;
}

/** Runs `send` from `inFlight` lanes until `durationMs` has passed; returns counts and CPU used. */
async function closedLoop(send: () => Promise<RequestOutcome | undefined>, inFlight: number, durationMs: number): Promise<LoopResult> {
  let requests = 0;
  let failures = 0;
  let newConnections = 0;
  let staleRetries = 0;
  const startMs = performance.now();
  const endMs = startMs + durationMs;
  const cpuStart = process.cpuUsage();
  const lane = async (): Promise<void> => {
    while (performance.now() < endMs) {
      const outcome = await send();
      requests++;
      if (outcome === undefined) continue;
      if (!outcome.ok) failures++;
      if (outcome.connection === 'new') newConnections++;
      if (outcome.staleRetried) staleRetries++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  const cpu = process.cpuUsage(cpuStart);
  return { requests, failures, newConnections, staleRetries, cpuUs: cpu.user + cpu.system, wallMs: performance.now() - startMs };
}

function report(name: string, result: LoopResult): void {
  const perSecond = Math.round(result.requests / (result.wallMs / 1000));
  const cpuPerRequestUs = (result.cpuUs / result.requests).toFixed(1);
  console.log(
    `${name.padEnd(28)} ${String(perSecond).padStart(7)} req/s  ${cpuPerRequestUs.padStart(6)} µs CPU/req  ` +
      `failures ${result.failures}  new connections ${result.newConnections}  stale retries ${result.staleRetries}`,
  );
}

/** The mock origins in their own process, so this process's `cpuUsage()` holds the transports' CPU alone. */
async function startTargets(): Promise<{ targets: Targets; stop: () => Promise<void> }> {
  const origins = await startOriginProcess({ http: true, https: true, tcpEcho: false });
  if (!origins.http || !origins.https || !origins.caPem) throw new Error('the origin process did not start both origins');
  return { targets: { http: origins.http, https: origins.https, caPem: origins.caPem }, stop: origins.stop };
}

async function benchTransport(name: string, transport: Transport, request: PreparedRequest, options: BenchOptions): Promise<void> {
  try {
    await closedLoop(() => transport.execute(request), options.inFlight, options.warmupMs);
    report(name, await closedLoop(() => transport.execute(request), options.inFlight, options.durationMs));
  } finally {
    await transport.close();
  }
}

/** An in-session yardstick: undici's own `request()` on `dispatcher`, the body read as a stream. */
interface Yardstick {
  readonly name: string;
  /** Origin of the requests (`http://127.0.0.1:8080`). */
  readonly origin: string;
  createDispatcher(): Dispatcher;
}

async function benchYardstick(yardstick: Yardstick, path: string, options: BenchOptions): Promise<void> {
  const { origin } = yardstick;
  const dispatcher = yardstick.createDispatcher();
  const send = async (): Promise<undefined> => {
    const response = await dispatcher.request({ origin, path, method: 'GET' });
    for await (const chunk of response.body) void chunk;
    return undefined;
  };
  try {
    await closedLoop(send, options.inFlight, options.warmupMs);
    report(yardstick.name, await closedLoop(send, options.inFlight, options.durationMs));
  } finally {
    await dispatcher.destroy();
  }
}

/**
 * Plain undici direct (Pool), and its ProxyAgent in forward mode and as a CONNECT tunnel: what
 * docs/performance.md measured peers with, to read our figures as ratios taken in the same session.
 */
function yardsticks(targets: Targets, proxy: ProxyEndpoint | undefined, inFlight: number): Yardstick[] {
  const http = `http://${targets.http.host}:${targets.http.port}`;
  const https = `https://${targets.https.host}:${targets.https.port}`;
  const proxyUri = proxy ? `http://${proxy.host}:${proxy.port}` : '';
  return [
    { name: 'undici Pool (direct)', origin: http, createDispatcher: () => new Pool(http, { connections: inFlight, keepAliveTimeout: 60_000 }) },
    { name: 'undici ProxyAgent (forward)', origin: http, createDispatcher: () => new ProxyAgent({ uri: proxyUri, proxyTunnel: false, connections: inFlight }) },
    {
      name: 'undici ProxyAgent (CONNECT)',
      origin: https,
      createDispatcher: () => new ProxyAgent({ uri: proxyUri, connections: inFlight, requestTls: { ca: targets.caPem } }),
    },
  ];
}

function parseOptions(): BenchOptions {
  const { values } = parseArgs({
    options: { 'duration-ms': { type: 'string' }, 'in-flight': { type: 'string' }, bytes: { type: 'string' }, only: { type: 'string' } },
  });
  return {
    durationMs: Number(values['duration-ms'] ?? DEFAULTS.durationMs),
    warmupMs: DEFAULTS.warmupMs,
    inFlight: Number(values['in-flight'] ?? DEFAULTS.inFlight),
    bodyBytes: Number(values.bytes ?? DEFAULTS.bodyBytes),
    only: values.only ?? DEFAULTS.only,
  };
}

async function main(): Promise<void> {
  const options = parseOptions();
  const { targets, stop } = await startTargets();
  const proxies = await startReferenceProxies({ http: true, socks5: true, allow: [targets.http, targets.https] });
  try {
    const path = downloadPath(options.bodyBytes, 1);
    // The mock origin accepts absolute-form targets (RFC 9112 §3.2.2), so pointed at as the
    // "proxy" it shows what forward mode costs the harness when the proxy is not the bottleneck.
    const originAsProxy: ProxyEndpoint = { kind: 'http', host: targets.http.host, port: targets.http.port };
    const routes: readonly [string, Protocol, OriginAddress, ProxyEndpoint | undefined][] = [
      ['direct → http', 'direct', targets.http, undefined],
      ['http-forward → http', 'http-forward', targets.http, proxies.http],
      ['http-forward, no proxy', 'http-forward', targets.http, originAsProxy],
      ['connect → https', 'connect', targets.https, proxies.http],
      ['socks5 → http', 'socks5', targets.http, proxies.socks5],
      ['socks5 → https', 'socks5', targets.https, proxies.socks5],
    ];
    console.log(`${options.inFlight} in flight, ${options.durationMs} ms per transport, ${options.bodyBytes}-byte bodies, node ${process.version}`);
    for (const [name, protocol, origin, proxy] of routes) {
      if (!name.startsWith(options.only)) continue;
      const transport = createTransport({
        protocol,
        origin,
        ...(proxy ? { proxy } : {}),
        maxConnections: options.inFlight,
        connectionPolicy: 'keep-alive',
        timeouts: { connectMs: 5_000, handshakeMs: 5_000, ttfbMs: 10_000, idleMs: 10_000, totalMs: 30_000 },
        originCaPem: targets.caPem,
      });
      const request: PreparedRequest = { kind: 'get', method: 'GET', origin, path, expect: { kind: 'deterministic', bytes: options.bodyBytes, seed: 1 } };
      await benchTransport(name, transport, request, options);
    }
    for (const yardstick of yardsticks(targets, proxies.http, options.inFlight)) {
      if (yardstick.name.startsWith(options.only)) await benchYardstick(yardstick, path, options);
    }
  } finally {
    await proxies.stop();
    await stop();
  }
}

await main();
