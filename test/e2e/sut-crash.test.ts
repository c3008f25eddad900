import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../../core/errors.js';
import type { Report } from '../../reports/schema.js';
import { runCli, tempDir } from '../support/cli.js';
import { freePort } from '../support/free-port.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/loopback-proxy.mjs', import.meta.url));
/** Long enough that only a SUT's death, never the clock, can end these runs early. */
const RUN = ['--duration', '30s', '--warmup', '0s', '--concurrency', '4', '--workers', '1', '--quiet'];

let external: ChildProcess | undefined;
afterEach(() => {
  if (external && external.exitCode === null && external.signalCode === null) external.kill('SIGKILL');
  external = undefined;
});

async function readJson(path: string): Promise<Report> {
  return JSON.parse(await readFile(path, 'utf8')) as Report;
}

/** How many times `needle` occurs in `text`. */
function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

describe('a proxy under test that dies during the run', () => {
  it('--sut: stops the run, keeps what was measured, warns sut_failed and exits 3', async () => {
    const port = await freePort();
    const out = join(await tempDir(), 'r.json');
    const sut = `node ${FIXTURE} --port ${port} --die-after-ms 1000 --exit-code 7`;
    const result = await runCli(['run', 'http-get', '--proxy', `http://127.0.0.1:${port}`, '--sut', sut, ...RUN, '--out', out]);
    expect(result.code, result.stderr).toBe(EXIT_CODES.couldNotRun);
    const report = await readJson(out);
    // What was measured before the crash is kept.
    expect(report.totals.successes).toBeGreaterThan(0);
    expect(report.partial).toBe(true);
    const failed = report.warnings.filter((w) => w.code === 'sut_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.message).toContain('code 7');
    // Its last output, once.
    expect(occurrences(failed[0]!.message, 'crashing on purpose')).toBe(1);
    expect(report.sut?.source).toBe('spawned');
  });

  it('--sut-pid: notices the attached proxy exit, stops the run and exits 3', async () => {
    const port = await freePort();
    external = spawn(process.execPath, [FIXTURE, '--port', String(port), '--die-after-ms', '1000', '--exit-code', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const [line] = (await once(external.stderr!, 'data')) as [Buffer];
    expect(line.toString()).toContain('listening');
    const out = join(await tempDir(), 'r.json');
    const result = await runCli(['run', 'http-get', '--proxy', `http://127.0.0.1:${port}`, '--sut-pid', String(external.pid), ...RUN, '--out', out]);
    expect(result.code, result.stderr).toBe(EXIT_CODES.couldNotRun);
    const report = await readJson(out);
    expect(report.totals.successes).toBeGreaterThan(0);
    expect(report.partial).toBe(true);
    expect(report.sut?.source).toBe('attached');
    const failed = report.warnings.filter((w) => w.code === 'sut_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.message).toContain(`pid ${external.pid}`);
  });
});

describe('a proxy under test that exits before it is ready', () => {
  it('runs a --sut command with parentheses (no shell is involved) and reports its exit, not a usage error', async () => {
    const port = await freePort();
    const out = join(await tempDir(), 'r.json');
    const result = await runCli(['run', 'http-get', '--proxy', `http://127.0.0.1:${port}`, '--sut', 'node -e process.exit(3)', ...RUN, '--out', out]);
    expect(result.code, result.stderr).toBe(EXIT_CODES.couldNotRun);
    expect(result.stderr).toContain('exited with code 3 before it was ready');
  });

  it('quotes its last output once, in the error and in the report', async () => {
    const port = await freePort();
    const out = join(await tempDir(), 'r.json');
    // The line is built at run time, so the command line (quoted in the message) does not hold it.
    const sut = `node -e "console.error(['FATAL', 'cannot read squid.conf'].join(': ')); process.exit(4)"`;
    const result = await runCli(['run', 'http-get', '--proxy', `http://127.0.0.1:${port}`, '--sut', sut, ...RUN, '--out', out]);
    expect(result.code, result.stderr).toBe(EXIT_CODES.couldNotRun);
    expect(occurrences(result.stderr, 'FATAL: cannot read squid.conf')).toBe(1);
    const report = await readJson(out);
    const failed = report.warnings.filter((w) => w.code === 'sut_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.message).toContain('exited with code 4 before it was ready');
    expect(occurrences(failed[0]!.message, 'FATAL: cannot read squid.conf')).toBe(1);
  });
});
