import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../reports/schema.js';
import { runCli, tempDir, type CliResult } from '../support/cli.js';

// The `websocket-many` scenario as a user runs it: the built CLI and the embedded reference proxies.
// Small holds: what is checked is counts and causes; the 2,000-connection figure is measured by hand
// (the report of the branch that added it gives the command).

let dir: string;
beforeAll(async () => {
  dir = await tempDir();
});

async function runReport(args: readonly string[]): Promise<{ result: CliResult; report: Report }> {
  const out = join(dir, `r-${Math.random().toString(36).slice(2)}.json`);
  const result = await runCli([...args, '--out', out]);
  const report = JSON.parse(await readFile(out, 'utf8')) as Report;
  return { result, report };
}

describe('websocket-many scenario', () => {
  it('holds 200 WebSockets through the embedded CONNECT proxy, every trickled echo verified', async () => {
    const { result, report } = await runReport(['run', 'websocket-many', '--connections', '200', '--hold', '1500ms', '--trickle', '400ms', '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    const held = report.held!;
    expect(held.target).toBe(200);
    expect(held.established).toBe(200);
    expect(held.failed).toBe(0);
    expect(held.closedEarly).toBe(0);
    expect(held.errors).toEqual({});
    expect(held.phasesMs.proxyHandshake.count).toBe(200);
    expect(held.trickle!.ok).toBeGreaterThanOrEqual(200);
    expect(held.trickle!.failed).toBe(0);
    const kind = report.byKind['ws-trickle-16b']!;
    const messages = kind.messages!;
    expect(messages.sent).toBe(held.trickle!.ok);
    expect(messages.received).toBe(messages.sent);
    expect(kind.rttMs!.count).toBe(messages.received);
    expect(kind.bytesIn).toBe(16 * messages.received);
    expect(report.config.hold).toMatchObject({ held: 'websocket', protocol: 'connect' });
    expect(held.sutRssPerThousandMiB).not.toBeNull();
  });

  it('--via socks5 holds them through the embedded SOCKS5 proxy', async () => {
    const { result, report } = await runReport(['run', 'websocket-many', '--via', 'socks5', '--connections', '100', '--hold', '500ms', '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    expect(report.held!.protocol).toBe('socks5');
    expect(report.held!.established).toBe(100);
    expect(report.held!.failed).toBe(0);
  });

  it('through a forward proxy that drops upgrades, every attempt fails as proxy_refused', async () => {
    const { report } = await runReport(['run', 'websocket-many', '--via', 'http-forward', '--connections', '20', '--hold', '200ms', '--quiet']);
    expect(report.held!.established).toBe(0);
    expect(report.held!.errors).toEqual({ proxy_refused: 20 });
  });
});
