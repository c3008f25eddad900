import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../index.js';
import { Allowlist } from '../../mock-targets/proxies/allowlist.js';
import { startHttpProxy, type RunningProxyServer } from '../../mock-targets/proxies/http-proxy.js';
import { CLI, runCli, tempDir } from '../support/cli.js';

// Beyond one loopback address: the targets run standalone (`proxybench targets`) or the run's own
// origins listen elsewhere (`--origin-host`), and the proxy under test goes there and nowhere
// else. 127.0.0.3 and 127.0.0.4 are loopback addresses of their own on Linux, so which one the
// proxy dialled proves which targets served the run.

/** Admits loopback destinations and notes every host the proxy was asked to reach. */
class RecordingAllowlist extends Allowlist {
  readonly hosts = new Set<string>();
  constructor() {
    super([]);
  }

  override allows(host: string): boolean {
    this.hosts.add(host);
    return host.startsWith('127.');
  }
}

let allow: RecordingAllowlist;
let proxy: RunningProxyServer;

beforeAll(async () => {
  allow = new RecordingAllowlist();
  proxy = await startHttpProxy({ allow });
});

afterAll(async () => {
  await proxy.close();
});

/** Starts `proxybench targets` and resolves with its JSON line and a way to stop it. */
async function startTargets(args: readonly string[]): Promise<{ line: string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, [CLI, 'targets', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const lines = createInterface({ input: child.stdout! });
  const line = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('close', (code) => reject(new Error(`proxybench targets exited (${code}) before printing its line`)));
  });
  return { line, stop: async () => (child.kill('SIGINT'), exited) };
}

describe('targets beyond 127.0.0.1', () => {
  it('serves a run started with --targets from `proxybench targets --host 127.0.0.3`, the proxy dialling 127.0.0.3 and nowhere else', async () => {
    const targets = await startTargets(['--host', '127.0.0.3']);
    try {
      const description = JSON.parse(targets.line) as Record<string, string>;
      expect(Object.keys(description).sort()).toEqual(['caPem', 'http', 'https', 'tcpEcho', 'tcpSourceSink', 'udpEcho', 'webSocketEcho', 'webSocketEchoTls']);
      expect(description['http']).toMatch(/^http:\/\/127\.0\.0\.3:\d+$/);
      expect(description['udpEcho']).toMatch(/^udp:\/\/127\.0\.0\.3:\d+$/);
      allow.hosts.clear();
      const out = join(await tempDir(), 'r.json');
      const result = await runCli(['run', 'http-get', '--targets', targets.line, '--proxy', `http://127.0.0.1:${proxy.port}`, '-d', '1s', '--warmup', '0s', '-c', '4', '-o', out]);
      expect(result.code, result.stderr).toBe(0);
      const report = JSON.parse(await readFile(out, 'utf8')) as Report;
      expect(report.totals.requests).toBeGreaterThan(0);
      expect(report.totals.successes).toBe(report.totals.requests);
      expect(report.config.targets?.http).toBe(description['http']);
      expect([...allow.hosts]).toEqual(['127.0.0.3']);
    } finally {
      // SIGINT ends the service cleanly: exit 0.
      expect(await targets.stop()).toBe(0);
    }
  });

  it('makes the run\'s own origins listen on --origin-host 127.0.0.4, where the proxy goes', async () => {
    allow.hosts.clear();
    const out = join(await tempDir(), 'r.json');
    const result = await runCli(['run', 'http-mixed', '--origin-host', '127.0.0.4', '--proxy', `http://127.0.0.1:${proxy.port}`, '-d', '1s', '--warmup', '0s', '-c', '4', '-o', out]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    expect(report.totals.successes).toBe(report.totals.requests);
    expect(report.byKind['https-get-1k']?.successes).toBeGreaterThan(0);
    expect(report.config.originHost).toBe('127.0.0.4');
    expect([...allow.hosts]).toEqual(['127.0.0.4']);
  });

  it.each([
    [['run', 'https-connect', '--targets', '{"http":"http://127.0.0.1:1"}'], /^proxybench: --targets: has no https target, which scenario 'https-connect' needs$/],
    [['run', 'http-get', '--targets', '{"http":"ftp://127.0.0.1:1"}'], /^proxybench: --targets\.http: expects http:\/\/host:port/],
    [['run', 'http-get', '--targets', 'no-such-targets-file.json'], /^proxybench: --targets: cannot read no-such-targets-file\.json: ENOENT$/],
    [['run', 'http-get', '--targets', '{"http":"http://127.0.0.1:1"}', '--origin-host', '127.0.0.4'], /^proxybench: --origin-host: places the run's own origins/],
    [['targets', '--http-port', '70000'], /^proxybench: --http-port: expects a port from 1 to 65535/],
  ])('refuses %j with one line and exit 2', async (args, message) => {
    const result = await runCli(args);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr.trim()).toMatch(message);
  });
});
