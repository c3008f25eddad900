import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report, Stats } from '../../reports/schema.js';
import { builtInScenario } from '../../scenarios/catalog.js';
import { runCli, tempDir } from '../support/cli.js';

// issue #12: tcp-echo and tcp-bulk as a user runs them — a scenario file and the built-in
// connect-tcp, socks5-tcp and large-body scenarios through the CLI with the embedded proxies, every
// byte counted exactly (faults: tcp-stream-faults.test.ts).

const KiB = 1024;
const MiB = 1024 * KiB;

/** Runs the CLI with `args` plus a report path; returns the exit code, stderr and the report. */
async function runReport(args: readonly string[]): Promise<{ code: number | null; report: Report }> {
  const out = join(await tempDir(), 'report.json');
  const result = await runCli(['run', ...args, '--out', out, '--workers', '1']);
  const report = JSON.parse(await readFile(out, 'utf8')) as Report;
  return { code: result.code, report };
}

/** Writes a user scenario file and returns its path. */
async function scenarioFile(scenario: object): Promise<string> {
  const path = join(await tempDir(), 'scenario.json');
  await writeFile(path, JSON.stringify(scenario));
  return path;
}

/** Every session succeeded and no figure counts a byte twice or misses one. */
function expectExactBulk(kind: Stats, bytes: number, direction: 'down' | 'up' | 'both'): void {
  expect(kind.failures).toBe(0);
  expect(kind.bytesIn).toBe(direction === 'up' ? 0 : kind.requests * bytes);
  expect(kind.bytesOut).toBe(direction === 'down' ? 0 : kind.requests * bytes);
  expect(kind.messages).toBeUndefined();
  // One stream (and tunnel) per session, each timed to its first byte back.
  expect(kind.connections.opened).toBe(kind.requests);
  expect(kind.phasesMs.ttfb.count).toBe(kind.requests);
}

function expectExactEcho(kind: Stats, messageBytes: number, messages: number): void {
  expect(kind.failures).toBe(0);
  const sent = kind.requests * messages;
  expect(kind.messages).toEqual({ sent, received: sent, lost: 0, reordered: 0, duplicates: 0 });
  expect(kind.rttMs?.count).toBe(sent);
  expect(kind.bytesIn).toBe(sent * messageBytes);
  expect(kind.bytesOut).toBe(sent * messageBytes);
}

describe('tcp-echo and tcp-bulk through the embedded proxies (CLI, scenario file)', () => {
  it('every session of every kind succeeds through CONNECT and SOCKS5, bytes and messages counted exactly', async () => {
    const bulk = (protocol: string, direction: string): object => ({ kind: `bulk-${direction}-${protocol}`, protocol, operation: { op: 'tcp-bulk', bytes: '2MiB', direction } });
    const mix = ['connect', 'socks5'].flatMap((protocol) => [
      { kind: `echo-${protocol}`, protocol, operation: { op: 'tcp-echo', messageBytes: '1KiB', messages: 50 } },
      ...['down', 'up', 'both'].map((direction) => bulk(protocol, direction)),
    ]);
    const path = await scenarioFile({ name: 'tcp-streams', mix, defaults: { duration: '2s', warmup: '0s', concurrency: 4 } });
    const { code, report } = await runReport([path]);
    expect(code).toBe(0);
    expect(report.totals.successRate).toBe(1);
    expect(report.totals.requests).toBeGreaterThan(8);
    for (const protocol of ['connect', 'socks5']) {
      expectExactEcho(report.byKind[`echo-${protocol}`]!, KiB, 50);
      for (const direction of ['down', 'up', 'both'] as const) expectExactBulk(report.byKind[`bulk-${direction}-${protocol}`]!, 2 * MiB, direction);
    }
    // A stream session opens its own stream: that is no failure to reuse connections.
    expect(report.warnings.map((w) => w.code)).not.toContain('no_connection_reuse');
  });
});

describe('the built-in stream and large-body scenarios (CLI, short runs)', () => {
  it.each(['connect-tcp', 'socks5-tcp'])('%s reaches 100 %% with every byte and message counted', async (name) => {
    const { code, report } = await runReport([name, '--duration', '2s', '--warmup', '0s']);
    expect(code).toBe(0);
    expect(report.totals.requests).toBeGreaterThan(0);
    expect(report.totals.successRate).toBe(1);
    for (const entry of builtInScenario(name)!.mix) {
      const kind = report.byKind[entry.kind]!;
      const op = entry.operation;
      if (op.op === 'tcp-echo') expectExactEcho(kind, op.messageBytes, op.messages);
      else if (op.op === 'tcp-bulk') expectExactBulk(kind, op.bytes, op.direction);
      else throw new Error(`unexpected operation ${op.op} in ${name}`);
    }
  });

  it('large-body reaches 100 % with exact body bytes through the forward proxy and CONNECT', async () => {
    const { code, report } = await runReport(['large-body', '--duration', '3s', '--warmup', '0s']);
    expect(code).toBe(0);
    expect(report.totals.requests).toBeGreaterThan(0);
    expect(report.totals.successRate).toBe(1);
    for (const entry of builtInScenario('large-body')!.mix) {
      const kind = report.byKind[entry.kind]!;
      const op = entry.operation;
      if (op.op === 'download') expect(kind.bytesIn, entry.kind).toBe(kind.requests * op.bytes);
      else if (op.op === 'upload') expect(kind.bytesOut, entry.kind).toBe(kind.requests * op.bytes);
      else throw new Error(`unexpected operation ${op.op} in large-body`);
    }
  });
});
