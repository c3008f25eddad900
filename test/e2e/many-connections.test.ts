import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExitCode } from '../../reports/verdict.js';
import { EXIT_CODES } from '../../core/errors.js';
import { run } from '../../harness/run/run.js';
import { manyConnections } from '../../scenarios/many-connections.js';
import type { Protocol, Scenario } from '../../core/scenario.js';
import type { Report } from '../../reports/schema.js';
import type { RunProgress } from '../../harness/config/run-options.js';
import { CLI, runCli, tempDir, type CliResult } from '../support/cli.js';

async function readJson(path: string): Promise<Report> {
  return JSON.parse(await readFile(path, 'utf8')) as Report;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

/** Runs the CLI under `prlimit --nofile=<fds>` (soft and hard: Node cannot lift them then, as it lifts soft to hard itself). */
function runCliWithFdLimit(fds: number, args: readonly string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile('prlimit', [`--nofile=${fds}`, process.execPath, CLI, ...args], (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

/** A port with nothing listening: bind, note the port, close. */
async function closedPort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/**
 * A CONNECT proxy that answers 200 to anything and then holds the tunnel with no upstream (nothing
 * sent inside it is ever answered), closing it after `closeAfterMs` if given. It costs only the test
 * process's fds (whose limit is not lowered), so a harness under a low limit is the first to run
 * out. The CONNECT head is small and arrives in one chunk on loopback.
 */
async function startTunnelSink(options: { closeAfterMs?: number } = {}): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.once('data', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (options.closeAfterMs !== undefined) setTimeout(() => socket.end(), options.closeAfterMs);
    });
  });
  const port = await listen(server);
  return {
    port,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

/** many-connections with another route to the origin, the trickle request following it. */
function holdVia(protocol: Protocol, origin: 'http' | 'https'): Scenario {
  return {
    ...manyConnections,
    mix: [{ ...manyConnections.mix[0]!, protocol, origin }],
    hold: { ...manyConnections.hold!, protocol, origin },
  };
}

describe('many-connections through the embedded reference proxies', () => {
  it('holds 300 idle tunnels: all established, setup phases timed, the proxy RSS per 1,000 measured, exit 0', async () => {
    const out = join(await tempDir(), 'r.json');
    // A latency gate on held.* too, one that holds on any machine: a handshake through a proxy takes time.
    const gates = ['held.established>=300', 'held.failed==0', 'held.proxyHandshake.p99>0ms', 'held.sutRssPerThousandMiB<512MiB'];
    const result = await runCli(['run', 'many-connections', '--connections', '300', '--hold', '1500ms', '--out', out, ...gates.flatMap((g) => ['--threshold', g])]);
    expect(result.code, result.stderr).toBe(0);
    const report = await readJson(out);
    expect(report.thresholds.map((t) => [t.expression, t.passed])).toEqual(gates.map((g) => [g, true]));
    expect(report.thresholds[0]!.value).toBe(300);
    const held = report.held!;
    expect(held.target).toBe(300);
    expect(held.established).toBe(300);
    expect(held.failed).toBe(0);
    expect(held.closedEarly).toBe(0);
    expect(held.errors).toEqual({});
    expect(held.phasesMs.connect.count).toBe(300);
    expect(held.phasesMs.proxyHandshake.count).toBe(300);
    expect(held.phasesMs.tls.count).toBe(0);
    expect(held.holdMs).toBeGreaterThanOrEqual(1500);
    expect(held.sutRssHeldMiB!).toBeGreaterThan(held.sutRssBaselineMiB!);
    expect(held.sutRssPerThousandMiB!).toBeGreaterThan(0);
    expect(held.sutRssPerThousandMiB).toBeCloseTo(((held.sutRssHeldMiB! - held.sutRssBaselineMiB!) / 300) * 1000, 0);
    expect(held.trickle).toBeUndefined();
    expect(held.hint).toBeUndefined();
    // The proxy held a client and an origin socket per tunnel at once.
    expect(report.sut!.fdsPeak).toBeGreaterThanOrEqual(600);
    // Idle: no request was made, and none is reported.
    expect(report.totals.requests).toBe(0);
    expect(report.warnings).toEqual([]);
    expect(result.stdout).toMatch(/^held: 300\/300 connect connections to the http origin established, 0 failed, 0 closed early;/m);
  });

  it.each([
    ['connect', 'http', 50, 0],
    ['connect', 'https', 50, 50],
    ['socks5', 'http', 50, 0],
    ['http-forward', 'http', 0, 0],
  ] as const)('trickles a verified GET on each held %s connection to the %s origin, with no failure', async (protocol, origin, handshakes, tlsHandshakes) => {
    const report = await run({ scenario: holdVia(protocol, origin), connections: 50, holdMs: 1200, trickleIntervalMs: 200 });
    const held = report.held!;
    expect(held.established).toBe(50);
    expect(held.closedEarly).toBe(0);
    expect(held.phasesMs.proxyHandshake.count).toBe(handshakes);
    expect(held.phasesMs.tls.count).toBe(tlsHandshakes);
    expect(held.trickle!.ok).toBeGreaterThanOrEqual(50);
    expect(held.trickle!.failed).toBe(0);
    // The report's totals describe the trickle requests, every one on a held (reused) connection.
    expect(report.totals.requests).toBe(held.trickle!.ok);
    expect(report.totals.successes).toBe(report.totals.requests);
    expect(report.totals.bytesIn).toBe(report.totals.requests * 16);
    expect(report.totals.connections).toMatchObject({ opened: 0, reused: report.totals.requests });
    expect(report.byProtocol[protocol]?.requests).toBe(report.totals.requests);
    expect(runExitCode(report, 0)).toBe(EXIT_CODES.ok);
  });

  it('reports its progress while holding: connections held so far and trickle requests, about once a second', async () => {
    const seen: RunProgress[] = [];
    const report = await run({ scenario: holdVia('connect', 'http'), connections: 60, holdMs: 2500, trickleIntervalMs: 300, onProgress: (p) => seen.push(p) });
    expect(report.held!.established).toBe(60);
    const holding = seen.filter((p) => p.held?.stage === 'holding');
    expect(holding.length).toBeGreaterThanOrEqual(1);
    // About once a second, never more often: a 1 s interval fires a second or more after its previous
    // firing began, never sooner, however busy the machine (100 ms for each firing's own time before
    // it reads the clock); a report per trickle round (300 ms) or per connection would be closer.
    holding.forEach((p, i) => i > 0 && expect(p.held!.heldForMs - holding[i - 1]!.held!.heldForMs).toBeGreaterThanOrEqual(1000 - 100));
    const last = holding[holding.length - 1]!;
    expect(last).toMatchObject({ phase: 'hold', plannedMs: 2500, held: { stage: 'holding', target: 60, established: 60, failed: 0, closedEarly: 0 } });
    expect(last.elapsedMs).toBe(last.held!.heldForMs);
    expect(last.elapsedMs).toBeGreaterThan(0);
    // Time held, not time since the run began: no report can exceed the hold's own length, which
    // the report measures after the last progress report (0.05 ms for its rounding to 0.1 ms).
    expect(last.elapsedMs).toBeLessThanOrEqual(report.held!.holdMs + 0.05);
    // Trickle requests merged by then (a second's worth may still be pending), never more than the run made.
    expect(last.requests).toBeGreaterThan(0);
    expect(last.requests).toBeLessThanOrEqual(report.totals.requests);
  });

  it('counts every connection as proxy_unreachable when nothing listens, and fails the run', async () => {
    const proxy = `http://127.0.0.1:${await closedPort()}`;
    const report = await run({ scenario: 'many-connections', proxies: [proxy], connections: 40, holdMs: 100 });
    const held = report.held!;
    expect(held.established).toBe(0);
    expect(held.failed).toBe(40);
    expect(held.errors).toEqual({ proxy_unreachable: 40 });
    expect(held.phasesMs.connect.count).toBe(0);
    // An external proxy without --sut/--sut-pid is not sampled: no figure rather than a wrong one.
    expect(held.sutRssPerThousandMiB).toBeNull();
    expect(runExitCode(report, 0)).toBe(EXIT_CODES.failed);
  });
});

describe('many-connections through a proxy that misbehaves on held tunnels', () => {
  it('counts tunnels the proxy closes during the hold as closed early, not as failed to open, and fails the run', async () => {
    const sink = await startTunnelSink({ closeAfterMs: 100 });
    try {
      const report = await run({ scenario: 'many-connections', proxies: [`http://127.0.0.1:${sink.port}`], connections: 30, holdMs: 600 });
      expect(report.held).toMatchObject({ established: 30, failed: 0, closedEarly: 30, errors: {} });
      expect(runExitCode(report, 0)).toBe(EXIT_CODES.failed);
    } finally {
      await sink.close();
    }
  });

  it('fails an unanswered trickle request as timeout_ttfb and closes its tunnel', async () => {
    const sink = await startTunnelSink();
    try {
      const report = await run({ scenario: 'many-connections', proxies: [`http://127.0.0.1:${sink.port}`], connections: 20, holdMs: 800, trickleIntervalMs: 100, timeouts: { ttfbMs: 150 } });
      // Each tunnel's first request times out; the tunnel is then closed and sends no more.
      expect(report.held).toMatchObject({ established: 20, closedEarly: 20, errors: { timeout_ttfb: 20 }, trickle: { ok: 0, failed: 20 } });
      expect(report.totals.errors).toEqual({ timeout_ttfb: 20 });
      expect(report.warnings.map((w) => w.code)).toContain('all_failed');
      expect(runExitCode(report, 0)).toBe(EXIT_CODES.failed);
    } finally {
      await sink.close();
    }
  });
});

describe('many-connections at the harness open-files limit', () => {
  let sink: { port: number; close(): Promise<void> };
  beforeAll(async () => {
    sink = await startTunnelSink();
  });
  afterAll(() => sink.close());

  it('reports connections past its own fd limit as harness_limit with a hint, and exits 3', async () => {
    const out = join(await tempDir(), 'r.json');
    const result = await runCliWithFdLimit(160, ['run', 'many-connections', '--proxy', `http://127.0.0.1:${sink.port}`, '--connections', '200', '--hold', '200ms', '--out', out]);
    expect(result.code, result.stderr).toBe(EXIT_CODES.couldNotRun);
    const held = (await readJson(out)).held!;
    expect(held.errors.harness_limit).toBeGreaterThan(0);
    expect(held.established + held.failed).toBe(200);
    expect(held.failed).toBe(held.errors.harness_limit);
    expect(held.hint).toContain('ulimit -n 264');
    expect(held.hint).toContain('now 160, the hard limit');
    expect(result.stdout).toContain("failed on the harness's own limit, not the proxy's");
  });
});
