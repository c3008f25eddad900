import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../../core/errors.js';
import type { Report } from '../../reports/schema.js';
import { startCli, tempDir, type CliResult } from '../support/cli.js';
import { freePort } from '../support/free-port.js';

// Ctrl-C at a terminal sends SIGINT to the whole foreground process group, not to the harness
// alone: these tests start the CLI as the leader of a group of its own and signal the group.

const FIXTURE = fileURLToPath(new URL('../fixtures/loopback-proxy.mjs', import.meta.url));
const RUN = ['--duration', '60s', '--warmup', '0s', '--concurrency', '4', '--workers', '1', '--quiet'];
/** Bytes the proxy must have written before the interrupt: a few hundred 1 KiB responses relayed. */
const TRAFFIC_BYTES = 512 * 1024;

let group: number | undefined;
afterEach(() => {
  if (group !== undefined) killGroup(group, 'SIGKILL');
  group = undefined;
});

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is empty.
  }
}

/** Starts the CLI as the leader of its own process group, as a shell starts a foreground job. */
function startCliGroup(args: readonly string[]): { child: ChildProcess; done: Promise<CliResult> } {
  const started = startCli(args, {}, { detached: true });
  group = started.child.pid;
  return started;
}

function readProc(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Every descendant of `pid`, from /proc's per-thread children lists. */
function descendants(pid: number): number[] {
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children = tids.flatMap((tid) => readProc(`/proc/${pid}/task/${tid}/children`).split(' ').filter(Boolean).map(Number));
  return children.flatMap((child) => [child, ...descendants(child)]);
}

/** Running (a zombie is not: it has exited and waits to be reaped). */
function isAlive(pid: number): boolean {
  return /^\d+ \(.*\) [^ZX] /.test(readProc(`/proc/${pid}/stat`));
}

/** Bytes the process has written (sockets included), from /proc/<pid>/io. */
function bytesWritten(pid: number): number {
  return Number(/^wchar: (\d+)$/m.exec(readProc(`/proc/${pid}/io`))?.[1] ?? 0);
}

/**
 * Waits until the CLI's descendant whose command line contains `proxyEntry` has relayed traffic,
 * so the interrupt lands with requests in flight however long start-up took; returns every
 * descendant of the CLI at that moment.
 */
async function waitForTraffic(cliPid: number, proxyEntry: string): Promise<number[]> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const all = descendants(cliPid);
    const proxy = all.find((pid) => readProc(`/proc/${pid}/cmdline`).includes(proxyEntry));
    if (proxy !== undefined && bytesWritten(proxy) >= TRAFFIC_BYTES) return all;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no traffic through ${proxyEntry} within 30 s`);
}

/** Interrupts the run as a terminal's Ctrl-C does, and checks what it left. */
async function interruptAndCheck(args: readonly string[], proxyEntry: string, out: string): Promise<Report> {
  const { child, done } = startCliGroup(args);
  const children = await waitForTraffic(child.pid!, proxyEntry);
  // The origins and the proxy at least.
  expect(children.length).toBeGreaterThanOrEqual(2);
  killGroup(child.pid!, 'SIGINT');
  const result = await done;
  expect(result.code, result.stderr).toBe(EXIT_CODES.interrupted);
  // The harness stopped what it started before it exited.
  expect(children.filter(isAlive)).toEqual([]);
  const report = JSON.parse(await readFile(out, 'utf8')) as Report;
  expect(report.partial).toBe(true);
  expect(report.totals.requests).toBeGreaterThan(0);
  // In-flight requests finished against a live proxy and live origins: no casualty of the interrupt.
  expect(report.totals.errors).toEqual({});
  expect(report.totals.successes).toBe(report.totals.requests);
  const codes = report.warnings.map((w) => w.code);
  expect(codes).toContain('partial');
  expect(codes).not.toContain('sut_failed');
  return report;
}

describe('Ctrl-C at a terminal (SIGINT to the whole process group)', () => {
  it('leaves the embedded proxies and origins running until the harness has drained', async () => {
    const out = join(await tempDir(), 'r.json');
    const report = await interruptAndCheck(['run', 'http-get', ...RUN, '--out', out], 'proxy-process.js', out);
    expect(report.sut?.source).toBe('embedded');
  });

  it('leaves a spawned --sut running until the harness has drained', async () => {
    const port = await freePort();
    const out = join(await tempDir(), 'r.json');
    const args = ['run', 'http-get', '--proxy', `http://127.0.0.1:${port}`, '--sut', `node ${FIXTURE} --port ${port}`, ...RUN, '--out', out];
    const report = await interruptAndCheck(args, 'loopback-proxy.mjs', out);
    expect(report.sut?.source).toBe('spawned');
  });
});
