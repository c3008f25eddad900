import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnyLoopbackPort } from '../../bench/fixtures/loopback-allowlist.js';
import { startHttpProxy, type RunningProxyServer } from '../../mock-targets/proxies/http-proxy.js';
import type { Report } from '../../reports/schema.js';
import { run } from '../../index.js';
import { runCli, tempDir, type CliResult } from '../support/cli.js';

// Issue #13's proxy pools through the CLI: two loopback HTTP proxies (each with its own password,
// and counting what it admitted) given as one pool both carry load and appear in byProxy, with
// round-robin, weighted (from --proxy-file) and seeded random picks; thresholds per proxy; a hold
// run spread over the pool; shards whose merge keeps byProxy; and the usage errors, one line each.

const PASSWORDS = ['pw-A 7:x', 'pw-B 9:y'];

interface CountingProxy {
  readonly server: RunningProxyServer;
  /** Requests and CONNECTs the proxy admitted (after authentication). */
  admitted: number;
  readonly url: string;
  /** The URL as the report shows it: password `***`. */
  readonly shown: string;
}

async function countingProxy(user: string, password: string): Promise<CountingProxy> {
  const proxy = { admitted: 0 } as { admitted: number; server?: RunningProxyServer };
  const server = await startHttpProxy({ allow: new AnyLoopbackPort(), auth: { username: user, password } }, { admit: () => void proxy.admitted++ });
  const base = { server, admitted: 0, url: `http://${user}:${encodeURIComponent(password)}@127.0.0.1:${server.port}`, shown: `http://${user}:***@127.0.0.1:${server.port}` };
  return Object.defineProperty(base, 'admitted', { get: () => proxy.admitted, enumerable: true });
}

async function readJson(path: string): Promise<Report> {
  return JSON.parse(await readFile(path, 'utf8')) as Report;
}

/** byProxy's requests, in the config's order. */
function requestsByProxy(report: Report): number[] {
  return report.config.proxies.map((url) => report.byProxy?.[url]?.requests ?? -1);
}

function expectNoPassword(...texts: readonly string[]): void {
  for (const text of texts) {
    for (const password of PASSWORDS) {
      expect(text).not.toContain(password);
      expect(text).not.toContain(encodeURIComponent(password));
    }
  }
}

/** A usage error as the CLI must give it: exit 2, one line on stderr, no stack trace. */
function expectOneLineUsageError(result: CliResult, ...parts: readonly string[]): void {
  expect(result.code, result.stderr).toBe(2);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^proxybench: /);
  for (const part of parts) expect(lines[0]).toContain(part);
}

/** Count-bounded and short: figures are asserted as counts, never as times. */
const COUNTED = ['--warmup', '0', '--concurrency', '4', '--workers', '2', '--quiet'];

describe('a pool of two HTTP proxies, through the CLI', () => {
  let a: CountingProxy;
  let b: CountingProxy;
  let dir = '';
  beforeAll(async () => {
    a = await countingProxy('pa', PASSWORDS[0]!);
    b = await countingProxy('pb', PASSWORDS[1]!);
    dir = await tempDir();
  });
  afterAll(async () => {
    await a.server.close();
    await b.server.close();
  });

  it('round-robin: both carry load, split evenly (±1 per worker), byProxy adds up to the total, and gates per proxy decide the exit code', async () => {
    const out = join(dir, 'rr.json');
    const html = join(dir, 'rr.html');
    const admittedBefore = [a.admitted, b.admitted];
    const result = await runCli([
      'run', 'http-get', '--proxy', a.url, '--proxy', b.url, '--requests', '400', ...COUNTED.filter((f) => f !== '--quiet'), '--out', out, '--html', html,
      '--threshold', 'proxy[0].requests>=150', '--threshold', `proxy[127.0.0.1:${b.server.port}].successRate>=0.99`,
      '--threshold', `proxy[127.0.0.1:${b.server.port}].p99<0.001ms`,
    ]);
    expect(result.code, result.stderr).toBe(1);
    const report = await readJson(out);
    expect(report.config.proxies).toEqual([a.shown, b.shown]);
    expect(report.config.proxyPick).toBe('round-robin');
    const [viaA, viaB] = requestsByProxy(report);
    expect(viaA! + viaB!).toBe(400);
    expect(Math.abs(viaA! - viaB!)).toBeLessThanOrEqual(2);
    expect(report.totals.successes).toBe(400);
    expect(report.byProxy![a.shown]!.successes + report.byProxy![b.shown]!.successes).toBe(report.totals.successes);
    expect(report.byProxy![a.shown]!.bytesIn + report.byProxy![b.shown]!.bytesIn).toBe(report.totals.bytesIn);
    expect(report.byProxy![a.shown]!.latencyMs.count + report.byProxy![b.shown]!.latencyMs.count).toBe(report.totals.latencyMs.count);
    // The proxies themselves saw the traffic: each admitted at least its measured share.
    expect(a.admitted - admittedBefore[0]!).toBeGreaterThanOrEqual(viaA!);
    expect(b.admitted - admittedBefore[1]!).toBeGreaterThanOrEqual(viaB!);
    expect(report.thresholds.map((t) => [t.proxy, t.passed])).toEqual([[a.shown, true], [b.shown, true], [b.shown, false]]);
    expect(result.stdout).toContain(`proxy ${a.shown}`);
    expect(result.stdout).toContain(`proxy ${b.shown}`);
    const page = await readFile(html, 'utf8');
    expect(page).toContain('By proxy');
    expectNoPassword(result.stdout, result.stderr, JSON.stringify(report), page);
  });

  it('weighted 3:1 from a proxy file with comments, after --proxy: the counts are in that ratio', async () => {
    const list = join(dir, 'proxies.txt');
    await writeFile(list, `# the pool\n\n${a.url}#weight=3   # rack 1\n`);
    const out = join(dir, 'weighted.json');
    const result = await runCli(['run', 'http-mixed', '--proxy', b.url, '--proxy-file', list, '--proxy-pick', 'weighted', '--requests', '400', ...COUNTED, '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    const report = await readJson(out);
    expect(report.config.proxies).toEqual([b.shown, a.shown]);
    expect(report.config.proxyWeights).toEqual([1, 3]);
    // Smooth weighted round-robin takes exactly 3 of every 4 picks per worker: within a pick or two of 300.
    const [viaB, viaA] = requestsByProxy(report);
    expect(viaA! + viaB!).toBe(400);
    expect(Math.abs(viaA! - 300)).toBeLessThanOrEqual(4);
    // http-mixed sends forward and CONNECT requests: both protocols went through both proxies.
    expect(report.byProxy![a.shown]!.phasesMs.ttfb.count).toBeGreaterThan(0);
    expectNoPassword(result.stdout, result.stderr, JSON.stringify(report));
  });

  it('random: seeded by --seed, so one seed gives the same split twice, and both proxies are picked', async () => {
    const runWithSeed = async (name: string): Promise<number[]> => {
      const out = join(dir, name);
      const result = await runCli(['run', 'http-get', '--proxy', a.url, '--proxy', b.url, '--proxy-pick', 'random', '--seed', '5', '--requests', '200', '--warmup', '0', '--concurrency', '2', '--workers', '1', '--quiet', '--out', out]);
      expect(result.code, result.stderr).toBe(0);
      return requestsByProxy(await readJson(out));
    };
    const first = await runWithSeed('random-1.json');
    expect(first[0]! + first[1]!).toBe(200);
    expect(Math.min(...first)).toBeGreaterThan(50);
    expect(await runWithSeed('random-2.json')).toEqual(first);
  });

  it('a hold run spreads its held connections over the pool, round-robin, and its trickle requests appear per proxy', async () => {
    const out = join(dir, 'hold.json');
    const before = [a.admitted, b.admitted];
    const result = await runCli(['run', 'many-connections', '--proxy', a.url, '--proxy', b.url, '--connections', '20', '--hold', '600ms', '--trickle', '150ms', '--quiet', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    const report = await readJson(out);
    expect(report.held!.established).toBe(20);
    // Each proxy admitted exactly its 10 CONNECTs (trickle requests travel inside the tunnels).
    expect([a.admitted - before[0]!, b.admitted - before[1]!]).toEqual([10, 10]);
    const [viaA, viaB] = requestsByProxy(report);
    expect(viaA).toBeGreaterThan(0);
    expect(viaB).toBeGreaterThan(0);
    expect(viaA! + viaB!).toBe(report.totals.requests);
  });

  it('two shards of a pool run merge into one byProxy that adds both shards', async () => {
    const shardArgs = (index: number): string[] => ['run', 'http-get', '--proxy', a.url, '--proxy', b.url, '--requests', '100', '--shard', `${index}/2`, ...COUNTED, '--out', join(dir, `shard${index}.json`)];
    const shards = await Promise.all([runCli(shardArgs(0)), runCli(shardArgs(1))]);
    for (const shard of shards) expect(shard.code, shard.stderr).toBe(0);
    const merged = join(dir, 'merged.json');
    const result = await runCli(['merge', join(dir, 'shard0.json'), join(dir, 'shard1.json'), '-o', merged, '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    const [s0, s1, all] = await Promise.all([readJson(join(dir, 'shard0.json')), readJson(join(dir, 'shard1.json')), readJson(merged)]);
    for (const url of [a.shown, b.shown]) expect(all.byProxy![url]!.requests).toBe(s0.byProxy![url]!.requests + s1.byProxy![url]!.requests);
    expect(requestsByProxy(all).reduce((n, r) => n + r, 0)).toBe(100);
  });

  it('the typed API takes a pool too: { url, weight } entries, proxyPick, and env from proxyEnv', async () => {
    const report = await run({
      scenario: 'http-get', proxies: [{ url: a.url, weight: 3 }, 'env'], proxyEnv: { http_proxy: b.url }, proxyPick: 'weighted',
      requests: 200, warmupMs: 0, concurrency: 4, workers: 1,
    });
    expect(report.config.proxies).toEqual([a.shown, b.shown]);
    expect(requestsByProxy(report)).toEqual([150, 50]);
    expect(report.totals.successes).toBe(200);
  });

  it.each([
    ['a malformed weight', (): string[] => ['--proxy', `${a.url}#weight=0`, '--proxy-pick', 'weighted'], ['--proxy: the weight of', 'whole number from 1']],
    ['a weight without --proxy-pick weighted', (): string[] => ['--proxy', `${a.url}#weight=2`, '--proxy', b.url], ['--proxy-pick:', 'only --proxy-pick weighted uses']],
    ['an unknown pick', (): string[] => ['--proxy', a.url, '--proxy-pick', 'fastest'], ['--proxy-pick: expects one of round-robin, random, weighted']],
    ['an unreadable proxy file', (): string[] => ['--proxy-file', join(dir, 'missing.txt')], ['--proxy-file: cannot read', 'no such file']],
    ['the same proxy twice', (): string[] => ['--proxy', a.url, '--proxy', a.url], ['lists', 'twice']],
    ['a threshold naming a proxy the pool lacks', (): string[] => ['--proxy', a.url, '--proxy', b.url, '--threshold', 'proxy[2].p99<5ms'], ['--threshold:', 'there is no proxy 2']],
  ])('refuses %s with exit 2 and one line, before any load', async (_what, args, parts) => {
    const result = await runCli(['run', 'http-get', ...args(), '--requests', '10', '--quiet', '--out', join(dir, 'never.json')]);
    expectOneLineUsageError(result, ...parts);
    expectNoPassword(result.stderr);
  });

  it('names the file and line of a bad URL in a proxy file', async () => {
    const list = join(dir, 'bad.txt');
    await writeFile(list, `# pool\n${a.url}\n\nftp://127.0.0.1:21\n`);
    const result = await runCli(['run', 'http-get', '--proxy-file', list, '--requests', '10', '--quiet', '--out', join(dir, 'never.json')]);
    expectOneLineUsageError(result, `--proxy-file ${list} line 4:`, "scheme 'ftp' is not supported");
  });
});
