import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { OriginAddress } from '../core/request.js';
import { startOriginProcess } from '../mock-targets/origins/origin-launcher.js';
import { downloadPath } from '../core/origin-wire/origin-paths.js';
import type { PassResult } from './fixtures/pass-result.js';
import { barVerdict, formatPathTable, PEER_TOOLS, type PeerTool } from './fixtures/peer-table.js';
import { runProxybench } from './fixtures/proxybench-runner.js';
import { SQUID_BINARY, startSquid, type RunningSquid } from './fixtures/squid-launcher.js';
import { runUndiciLoop } from './fixtures/undici-runner.js';
import { findWrk, runWrk } from './fixtures/wrk-runner.js';

/**
 * proxybench against its peers — wrk and a plain undici Pool loop — on the same paths, back to
 * back in one session: straight to the mock origin, and through squid as a forward proxy
 * (absolute-form targets), 1 KiB bodies, the same requests in flight, one load thread each. Passes
 * alternate the tools' order (A B C, C B A, …) so the machine's drift falls on every tool alike,
 * and the tables give medians with ranges and proxybench's pass-by-pass ratios to each peer — the
 * only figures docs/performance.md says mean anything on these noisy machines — and the verdict against
 * its bar.
 *
 *   npm run build && node dist/bench/peers.js [--passes 3] [--duration-s 5] [--warmup-s 1] [--in-flight 50] [--only squid]
 *
 * Needs squid (/usr/sbin/squid); wrk is optional (`apt-get install wrk`), its rows are skipped
 * without it. proxybench starts its own mock origin per run (as `run()` does for a user); wrk and
 * undici share one started here from the same code, in its own process too.
 */

/** What one session does. */
interface PeerOptions {
  /** Passes of every tool on every path. */
  readonly passes: number;
  /** Measured time of each pass, s (wrk takes whole seconds). */
  readonly durationS: number;
  /** Unmeasured time before each pass, s. */
  readonly warmupS: number;
  /** Requests in flight, and connections. */
  readonly inFlight: number;
  /** Only the paths whose name starts with this (`direct`, `squid`). */
  readonly only: string;
}

/** Tunables; each has a flag of the same name (`--duration-s`, …). */
export const DEFAULTS: PeerOptions = { passes: 3, durationS: 5, warmupS: 1, inFlight: 50, only: '' };

/** Body size of every request, bytes: the scenarios `direct-get` and `http-get` fetch 1 KiB. */
const BODY_BYTES = 1024;
/** Seed of the peers' deterministic bodies (the cost of a body does not depend on it). */
const SEED = 1;

/** One way to the origin. */
interface PeerPath {
  readonly name: string;
  /** The forward proxy, or none (direct). */
  readonly proxy?: RunningSquid;
}

interface Session {
  readonly options: PeerOptions;
  readonly origin: OriginAddress;
  readonly wrk?: string;
  readonly workDir: string;
}

function parseOptions(): PeerOptions {
  const { values } = parseArgs({
    options: {
      passes: { type: 'string' },
      'duration-s': { type: 'string' },
      'warmup-s': { type: 'string' },
      'in-flight': { type: 'string' },
      only: { type: 'string' },
    },
  });
  const positive = (raw: string | undefined, fallback: number, flag: string): number => {
    const value = raw === undefined ? fallback : Number(raw);
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${flag} takes a whole number ≥ 1, got '${raw}'`);
    return value;
  };
  return {
    passes: positive(values.passes, DEFAULTS.passes, 'passes'),
    durationS: positive(values['duration-s'], DEFAULTS.durationS, 'duration-s'),
    warmupS: positive(values['warmup-s'], DEFAULTS.warmupS, 'warmup-s'),
    inFlight: positive(values['in-flight'], DEFAULTS.inFlight, 'in-flight'),
    only: values.only ?? DEFAULTS.only,
  };
}

/** One pass of `tool` on `path`; undefined when the tool is not installed. */
async function runPass(tool: PeerTool, path: PeerPath, session: Session): Promise<PassResult | undefined> {
  const { options, origin } = session;
  const originHostPort = `${origin.host}:${origin.port}`;
  const originPath = downloadPath(BODY_BYTES, SEED);
  // Through a forward proxy a request carries its absolute URI (RFC 9112 §3.2.2), as proxybench's
  // http-forward transport sends it; direct, the origin-form.
  const target = path.proxy ? `http://${originHostPort}${originPath}` : originPath;
  const connectTo = path.proxy ?? origin;
  switch (tool) {
    case 'proxybench':
      return runProxybench({
        scenario: path.proxy ? 'http-get' : 'direct-get',
        ...(path.proxy ? { proxyUrl: path.proxy.url, proxyPid: path.proxy.pid } : {}),
        concurrency: options.inFlight,
        durationMs: options.durationS * 1000,
        warmupMs: options.warmupS * 1000,
      });
    case 'wrk': {
      if (!session.wrk) return undefined;
      const pass = { binary: session.wrk, connectTo, path: target, hostHeader: originHostPort, connections: options.inFlight, workDir: session.workDir };
      // wrk has no warm-up of its own: a first, unmeasured run warms the proxy and origin for it.
      await runWrk({ ...pass, durationS: options.warmupS });
      return runWrk({ ...pass, durationS: options.durationS, ...(path.proxy ? { proxyPid: path.proxy.pid } : {}) });
    }
    case 'plain undici':
      return runUndiciLoop(
        {
          connectTo: `http://${connectTo.host}:${connectTo.port}`,
          path: target,
          headers: path.proxy ? { host: originHostPort } : {},
          inFlight: options.inFlight,
          bodyBytes: BODY_BYTES,
          warmupMs: options.warmupS * 1000,
          durationMs: options.durationS * 1000,
        },
        path.proxy?.pid,
      );
  }
}

function describePass(pass: PassResult): string {
  const proxy = pass.proxyCpuPercent !== undefined ? `, proxy ${pass.proxyCpuPercent.toFixed(0)} % core` : '';
  return `${pass.rps.toFixed(0)} req/s, ${pass.cpuUsPerRequest.toFixed(1)} µs/req, ${pass.failures} failures${proxy}`;
}

/** Every pass of every tool on every path; the tools' order reverses from one pass to the next. */
async function runSession(paths: readonly PeerPath[], session: Session): Promise<Map<string, Map<PeerTool, PassResult[]>>> {
  const results = new Map(paths.map((p) => [p.name, new Map<PeerTool, PassResult[]>()]));
  for (let pass = 0; pass < session.options.passes; pass++) {
    const order = pass % 2 === 0 ? [...PEER_TOOLS] : [...PEER_TOOLS].reverse();
    for (const path of paths) {
      for (const tool of order) {
        const result = await runPass(tool, path, session);
        if (!result) continue;
        const byTool = results.get(path.name) as Map<PeerTool, PassResult[]>;
        byTool.set(tool, [...(byTool.get(tool) ?? []), result]);
        console.log(`pass ${pass + 1}/${session.options.passes}  ${path.name.padEnd(13)} ${tool.padEnd(12)} ${describePass(result)}`);
      }
    }
  }
  return results;
}

function versionOf(command: string, args: readonly string[]): string {
  try {
    // wrk -v prints its version and exits 1; take what it printed either way.
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0] ?? '';
  } catch (err) {
    const out = (err as { stdout?: string; stderr?: string }).stdout || (err as { stderr?: string }).stderr || '';
    return out.split('\n')[0] ?? '';
  }
}

function loadLine(): string {
  return loadavg().map((l) => l.toFixed(2)).join(' ');
}

async function main(): Promise<void> {
  const options = parseOptions();
  const wrk = findWrk();
  if (!wrk) console.log('wrk not found, skipping its rows (apt-get install wrk)');
  console.log(
    `${options.passes} passes × ${options.durationS} s (after ${options.warmupS} s warm-up), ${options.inFlight} in flight, ${BODY_BYTES}-byte bodies; ` +
      `node ${process.version}, ${wrk ? versionOf(wrk, ['-v']) : 'no wrk'}, ${versionOf(SQUID_BINARY, ['-v'])}, ${cpus().length} cores`,
  );
  console.log(`load average at start: ${loadLine()}`);
  const workDir = mkdtempSync(join(tmpdir(), 'proxybench-peers-'));
  const originProcess = await startOriginProcess({ http: true, https: false, tcpEcho: false });
  let squid: RunningSquid | undefined;
  try {
    if (!originProcess.http) throw new Error('the origin process started no HTTP origin');
    const wanted = ['direct', 'squid forward'].filter((name) => name.startsWith(options.only));
    if (wanted.includes('squid forward')) squid = await startSquid(workDir);
    const paths: PeerPath[] = wanted.map((name) => (name === 'direct' ? { name } : { name, proxy: squid as RunningSquid }));
    const session: Session = { options, origin: originProcess.http, workDir, ...(wrk ? { wrk } : {}) };
    const results = await runSession(paths, session);
    console.log(`load average at end: ${loadLine()}`);
    for (const path of paths) {
      const passes = results.get(path.name) as Map<PeerTool, PassResult[]>;
      console.log(`\n${formatPathTable(path.name, passes)}`);
      console.log(barVerdict(path.proxy ? 'proxy' : 'direct', passes));
    }
  } finally {
    await squid?.stop();
    await originProcess.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

await main();
