import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnyLoopbackPort } from '../../bench/fixtures/loopback-allowlist.js';
import { startHttpProxy } from '../../mock-targets/proxies/http-proxy.js';
import type { Report } from '../../reports/schema.js';
import { runCli, startCli, tempDir } from '../support/cli.js';

/** Short runs: the figures are not the point here, the behaviour is. */
const SHORT = ['--duration', '2s', '--warmup', '500ms', '--concurrency', '8'];

async function readJson(path: string): Promise<Report> {
  return JSON.parse(await readFile(path, 'utf8')) as Report;
}

/** A port with nothing listening: bind, note the port, close. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('proxybench run, end to end through the embedded reference proxies', () => {
  it('runs http-get: every request succeeds, bytes are exact, the report and table are written', async () => {
    const out = join(await tempDir(), 'r.json');
    const result = await runCli(['run', 'http-get', ...SHORT, '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    const report = await readJson(out);
    expect(report.schemaVersion).toBe(1);
    expect(report.tool.name).toBe('proxybench');
    expect(report.scenario).toBe('http-get');
    expect(report.partial).toBe(false);
    const t = report.totals;
    expect(t.requests).toBeGreaterThan(100);
    expect(t.successes).toBe(t.requests);
    expect(t.successRate).toBe(1);
    expect(t.bytesIn).toBe(t.requests * 1024);
    expect(t.errors).toEqual({});
    expect(t.latencyMs.p50).toBeGreaterThan(0);
    expect(t.latencyMs.p99).toBeGreaterThanOrEqual(t.latencyMs.p50);
    expect(Object.keys(report.byKind)).toEqual(['get-1k']);
    expect(report.byProtocol['http-forward']?.requests).toBe(t.requests);
    expect(report.sut?.source).toBe('embedded');
    expect(report.sut?.rssPeakMiB).toBeGreaterThan(0);
    expect(report.harness.workers).toBeGreaterThanOrEqual(1);
    expect(report.harness.rssPeakMiB).toBeGreaterThan(0);
    expect(report.durationMs).toBeGreaterThanOrEqual(1900);
    expect(result.stdout).toContain('get-1k');
    expect(result.stdout).toContain(`Report written to ${out}`);
    // No TTY: no progress line on stderr.
    expect(result.stderr).toBe('');
  });

  it('runs http-mixed with one byKind entry per mix entry, uploads verified and tunnels measured', async () => {
    const out = join(await tempDir(), 'r.json');
    const result = await runCli(['run', 'http-mixed', ...SHORT, '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    const report = await readJson(out);
    expect(Object.keys(report.byKind).sort()).toEqual(['get-1k', 'get-64k', 'https-get-1k', 'post-16k']);
    expect(report.totals.successRate).toBe(1);
    const post = report.byKind['post-16k']!;
    expect(post.bytesOut).toBe(post.requests * 16 * 1024);
    expect(report.byKind['get-64k']!.bytesIn).toBe(report.byKind['get-64k']!.requests * 65536);
    const https = report.byKind['https-get-1k']!;
    // Setup phases cover the tunnels measured requests opened (warm-up's are in no figure); every
    // tunnel had a handshake and TLS.
    expect(https.phasesMs.proxyHandshake.count).toBe(https.connections.opened);
    expect(https.phasesMs.tls.count).toBe(https.phasesMs.proxyHandshake.count);
    expect(https.phasesMs.connect.count).toBe(https.phasesMs.proxyHandshake.count);
    expect(https.connections.reused).toBeGreaterThan(0);
    // Phases are in order: a tunnel's handshake ends before its first byte arrives.
    expect(https.phasesMs.connect.p50).toBeLessThanOrEqual(https.latencyMs.max);
    expect(report.byKind['get-1k']!.phasesMs.proxyHandshake.count).toBe(0);
    expect(Object.keys(report.byProtocol).sort()).toEqual(['connect', 'http-forward']);
  });

  it.each([
    ['socks5-http', ['socks5']],
    ['proxy-mixed', ['connect', 'http-forward', 'socks5']],
  ])('runs %s through the embedded proxies', async (scenario, protocols) => {
    const out = join(await tempDir(), 'r.json');
    const result = await runCli(['run', scenario, ...SHORT, '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    const report = await readJson(out);
    expect(report.totals.successRate).toBe(1);
    expect(Object.keys(report.byProtocol).sort()).toEqual(protocols);
    expect(report.byProtocol.socks5!.phasesMs.proxyHandshake.count).toBe(report.byProtocol.socks5!.connections.opened);
  });
});

describe('proxybench run when things go wrong', () => {
  it('reports an unreachable proxy as 0% success with proxy_unreachable, exit 1, no crash', async () => {
    const out = join(await tempDir(), 'r.json');
    const port = await closedPort();
    const result = await runCli(['run', 'http-get', '--duration', '1s', '--warmup', '0s', '--concurrency', '4', '--proxy', `http://127.0.0.1:${port}`, '--out', out]);
    expect(result.code).toBe(1);
    const report = await readJson(out);
    expect(report.totals.requests).toBeGreaterThan(0);
    expect(report.totals.successRate).toBe(0);
    expect(report.totals.errors.proxy_unreachable).toBe(report.totals.requests);
    expect(report.totals.backoffs).toBeGreaterThan(0);
    expect(report.warnings.map((w) => w.code)).toContain('all_failed');
    expect(result.stdout).toContain('proxy_unreachable');
    expect(report.sut).toBeNull();
  });

  it.each([
    [['run', 'http-get', '--concurrency', 'abc'], '--concurrency'],
    [['run', 'http-get', '--duration', 'fast'], '--duration'],
    [['run', 'http-get', '--proxy', 'ftp://u:hunter2@127.0.0.1:21'], '--proxy'],
    [['run', 'no-such-scenario'], 'scenario'],
    [['run', 'http-get', '--threshold', 'bogusMetric<1'], '--threshold'],
    [['run', 'http-get', '--stages', '10s'], '--stages'],
    [['run', 'http-get', '--bogus-flag'], 'bogus-flag'],
    [['run', 'socks5-http', '--proxy', 'http://127.0.0.1:3128'], 'socks5'],
    [['run', 'http-get', '--rate', '10', '--concurrency', '5'], '--rate'],
  ])('exits 2 with one line naming the field for %j', async (args, field) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(field);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stderr).not.toContain('hunter2');
  });

  it('writes a partial report and exits 130 on SIGINT', async () => {
    const dir = await tempDir();
    const out = join(dir, 'r.json');
    // Through a proxy that notes when requests begin to flow, so the interrupt lands in the
    // measured phase however long start-up takes on a busy machine.
    let firstRequestAtMs: number | undefined;
    const proxy = await startHttpProxy({ allow: new AnyLoopbackPort() }, { admit: () => ((firstRequestAtMs ??= Date.now()), undefined) });
    const { child, done } = startCli(['run', 'http-get', '--proxy', `http://127.0.0.1:${proxy.port}`, '--duration', '30s', '--warmup', '500ms', '--concurrency', '4', '--out', out]);
    try {
      // Requests flowing for 1 s: the 500 ms warm-up is over and half a second has been measured.
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && (firstRequestAtMs === undefined || Date.now() - firstRequestAtMs < 1000)) await new Promise((r) => setTimeout(r, 50));
    } finally {
      child.kill('SIGINT');
    }
    const result = await done;
    await proxy.close();
    expect(firstRequestAtMs, 'no request reached the proxy within 20 s').toBeDefined();
    expect(result.code).toBe(130);
    const report = await readJson(out);
    expect(report.partial).toBe(true);
    expect(report.totals.requests).toBeGreaterThan(0);
    // Measured until the interrupt, not the planned 30 s: the interrupt came before the planned end
    // (exit 130, partial), so the report's own two figures order this way on any machine.
    expect(report.config.durationMs).toBe(30_000);
    expect(report.durationMs).toBeLessThan(report.config.durationMs);
    expect(report.warnings.map((w) => w.code)).toContain('partial');
    // Written atomically: no temporary file left beside it.
    expect(await readdir(dir)).toEqual(['r.json']);
  });
});

describe('proxybench commands and help', () => {
  it('lists the built-in scenarios one per line', async () => {
    const result = await runCli(['scenarios']);
    expect(result.code).toBe(0);
    const names = result.stdout.trim().split('\n').map((l) => l.split(/\s+/)[0]);
    expect(names).toEqual(expect.arrayContaining(['http-get', 'http-mixed', 'socks5-http', 'proxy-mixed']));
  });

  it('prints the package version', async () => {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const result = await runCli(['--version']);
    expect(result.stdout.trim()).toBe(pkg.version);
  });

  it('documents every run flag with its default', async () => {
    const result = await runCli(['run', '--help']);
    expect(result.code).toBe(0);
    const flagLines = result.stdout.split('\n').filter((l) => /^\s+(?:-\w, )?--[a-z]/.test(l) && !/--(help|version)\b/.test(l));
    expect(flagLines.length).toBeGreaterThan(30);
    // yargs wraps long descriptions; each flag's block must state a default.
    const blocks = result.stdout.split(/\n(?=\s+(?:-\w, )?--[a-z])/).filter((b) => /^\s+(?:-\w, )?--[a-z]/.test(b) && !/--(help|version)\b/.test(b));
    for (const block of blocks) expect(block, block).toMatch(/Default|default:/);
  });
});
