import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report, Stats } from '../../reports/schema.js';
import { startWebSocketEcho, type RunningWebSocketEcho } from '../../mock-targets/origins/websocket-echo.js';
import { Allowlist } from '../../mock-targets/proxies/allowlist.js';
import { startSocks5Proxy } from '../../mock-targets/proxies/socks5-proxy.js';
import type { RunningProxyServer } from '../../mock-targets/proxies/tracked-server.js';
import { runCli, tempDir, type CliResult } from '../support/cli.js';
import { startFaultyWebSocketEcho } from '../fixtures/faulty-websocket-echo.js';

// The `websocket` scenario as a user runs it: the built CLI, the embedded
// reference proxies (or one given with --proxy), the run's own WebSocket echo or a faulty one
// given with --targets. Short runs: what is checked is counts and causes, not speed.

let dir: string;
beforeAll(async () => {
  dir = await tempDir();
});

const SHORT = ['--duration', '1s', '--warmup', '0s', '--concurrency', '4', '--quiet'];

async function runReport(args: readonly string[]): Promise<{ result: CliResult; report: Report }> {
  const out = join(dir, `r-${Math.random().toString(36).slice(2)}.json`);
  const result = await runCli([...args, '--out', out]);
  const report = JSON.parse(await readFile(out, 'utf8')) as Report;
  return { result, report };
}

/** Every session succeeded and every message came back verified, one round trip recorded each. */
function expectEveryMessageVerified(kind: Stats, messageBytes: number): void {
  const messages = kind.messages!;
  expect(kind.errors).toEqual({});
  expect(kind.successRate).toBe(1);
  expect(kind.requests).toBeGreaterThan(0);
  expect(messages.sent).toBeGreaterThan(0);
  expect(messages.received).toBe(messages.sent);
  expect(messages.lost).toBe(0);
  expect(kind.rttMs!.count).toBe(messages.received);
  expect(kind.bytesIn).toBe(messages.received * messageBytes);
  // The answer to the upgrade is each session's ttfb.
  expect(kind.phasesMs.ttfb.count).toBe(kind.successes);
}

describe('websocket scenario', () => {
  it('runs through the embedded CONNECT proxy by default: 100 %, every message verified', async () => {
    const { result, report } = await runReport(['run', 'websocket', ...SHORT]);
    expect(result.code, result.stderr).toBe(0);
    expect(report.config.mix[0]!.protocol).toBe('connect');
    const kind = report.byKind['ws-echo-1k']!;
    expectEveryMessageVerified(kind, 1024);
    expect(kind.messages!.sent).toBe(kind.requests * 100);
    expect(kind.phasesMs.proxyHandshake.count).toBe(kind.connections.opened);
    // A session opens its own connection by design: no connection-reuse warning.
    expect(report.warnings.map((w) => w.code)).not.toContain('no_connection_reuse');
  });

  it('--via socks5 goes through the embedded SOCKS5 proxy, recorded in the report', async () => {
    const { result, report } = await runReport(['run', 'websocket', '--via', 'socks5', ...SHORT]);
    expect(result.code, result.stderr).toBe(0);
    expect(report.config.mix[0]!.protocol).toBe('socks5');
    expect(Object.keys(report.byProtocol)).toEqual(['socks5']);
    expectEveryMessageVerified(report.byKind['ws-echo-1k']!, 1024);
  });

  it('--via http-forward: the embedded proxy does not forward upgrades, so every session is proxy_refused (exit 1)', async () => {
    const { result, report } = await runReport(['run', 'websocket', '--via', 'http-forward', ...SHORT]);
    expect(result.code).toBe(1);
    const kind = report.byKind['ws-echo-1k']!;
    expect(kind.requests).toBeGreaterThan(0);
    expect(kind.errors).toEqual({ proxy_refused: kind.requests });
    expect(kind.messages?.sent ?? 0).toBe(0);
  });

  it('wss:// and text messages from a scenario file, through CONNECT: TLS in the tunnel, 100 %', async () => {
    const file = join(dir, 'wss-text.json');
    await writeFile(file, JSON.stringify({
      name: 'wss-text',
      mix: [{ kind: 'wss-text', protocol: 'connect', origin: 'https', operation: { op: 'websocket', messageBytes: '300B', messages: 20, format: 'text' } }],
      defaults: { duration: '1s', warmup: '0s', concurrency: 4 },
    }));
    const { result, report } = await runReport(['run', file, '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    const kind = report.byKind['wss-text']!;
    expectEveryMessageVerified(kind, 300);
    expect(kind.phasesMs.tls.count).toBe(kind.connections.opened);
  });

  it('--via must be one of the scenario routes, and only scenarios with routes take it (exit 2, one line)', async () => {
    const bad = await runCli(['run', 'websocket', '--via', 'carrier-pigeon', '--out', join(dir, 'x.json')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe("proxybench: --via: expects one of http-forward, connect, socks5, direct (got 'carrier-pigeon')");
    const direct = await runCli(['run', 'websocket', '--via', 'direct', '--out', join(dir, 'x.json')]);
    expect(direct.code).toBe(2);
    expect(direct.stderr.trim()).toBe("proxybench: --via: scenario 'websocket' goes through connect, socks5, http-forward (got 'direct')");
    const fixed = await runCli(['run', 'http-get', '--via', 'socks5', '--out', join(dir, 'x.json')]);
    expect(fixed.code).toBe(2);
    expect(fixed.stderr).toMatch(/^proxybench: --via: applies only to scenarios that can go more than one way/);
  });
});

describe('websocket scenario with a given proxy and given targets', () => {
  let echo: RunningWebSocketEcho;
  let socks: RunningProxyServer;
  beforeAll(async () => {
    echo = await startWebSocketEcho();
    socks = await startSocks5Proxy({ allow: new Allowlist([{ host: '127.0.0.1', port: echo.port }]) });
  });
  afterAll(async () => {
    await socks?.close();
    await echo?.close();
  });

  it('a socks5:// proxy alone picks the SOCKS5 route', async () => {
    const targets = JSON.stringify({ webSocketEcho: echo.url });
    const { result, report } = await runReport(['run', 'websocket', '--proxy', `socks5://127.0.0.1:${socks.port}`, '--targets', targets, ...SHORT]);
    expect(result.code, result.stderr).toBe(0);
    expect(report.config.mix[0]!.protocol).toBe('socks5');
    expect(report.config.proxies).toEqual([`socks5://127.0.0.1:${socks.port}`]);
    expectEveryMessageVerified(report.byKind['ws-echo-1k']!, 1024);
  });
});

describe('websocket scenario against a faulty echo given with --targets (through the embedded CONNECT proxy)', () => {
  it('an echo that corrupts a message: integrity, the messages before it still counted', async () => {
    const faulty = await startFaultyWebSocketEcho({ kind: 'corrupt', at: 50 });
    try {
      const { result, report } = await runReport(['run', 'websocket', '--targets', JSON.stringify({ webSocketEcho: faulty.url }), ...SHORT]);
      expect(result.code).toBe(1);
      const kind = report.byKind['ws-echo-1k']!;
      expect(kind.errors).toEqual({ integrity: kind.requests });
      expect(kind.messages!.received).toBe(49 * kind.requests);
      expect(kind.messages!.lost).toBe(kind.requests);
      expect(kind.rttMs!.count).toBe(kind.messages!.received);
    } finally {
      await faulty.close();
    }
  });
});

