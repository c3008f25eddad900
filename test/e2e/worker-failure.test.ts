import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../../core/errors.js';
import type { Report } from '../../reports/schema.js';
import { WORKER_FAULT_ENV } from '../../harness/workers/fault-injection.js';
import { startCli, tempDir, type CliResult } from '../support/cli.js';

/** Long enough that only the worker's failure, never the clock, can end these runs early. */
const RUN = ['--duration', '60s', '--warmup', '0s', '--concurrency', '8', '--workers', '2', '--quiet'];
/** A run that has not ended this long after the failure hangs: it is killed and the test fails. */
const HANG_MS = 45_000;

/** Runs the CLI with worker 0 failing after `fault`; kills it if it hangs. */
async function runWithFault(fault: string, out: string): Promise<CliResult & { hung: boolean }> {
  const { child, done } = startCli(['run', 'http-get', ...RUN, '--out', out], { [WORKER_FAULT_ENV]: fault });
  let hung = false;
  const timer = setTimeout(() => {
    hung = true;
    child.kill('SIGKILL');
  }, HANG_MS);
  const result = await done;
  clearTimeout(timer);
  return { ...result, hung };
}

/** What both kinds of failure must leave: a partial report with what was measured, and exit 3. */
async function expectFailureReport(result: CliResult & { hung: boolean }, out: string, message: RegExp): Promise<Report> {
  expect(result.hung, 'the run hung after the worker failed').toBe(false);
  expect(result.code, result.stderr).toBe(EXIT_CODES.couldNotRun);
  const report = JSON.parse(await readFile(out, 'utf8')) as Report;
  expect(report.partial).toBe(true);
  // The batches merged before the failure are kept.
  expect(report.totals.successes).toBeGreaterThan(0);
  expect(report.series.length).toBeGreaterThan(0);
  const failed = report.warnings.filter((w) => w.code === 'worker_failed');
  expect(failed).toHaveLength(1);
  expect(failed[0]!.message).toMatch(message);
  return report;
}

describe('a worker thread that fails during the run', () => {
  it('crashes: the report keeps what was measured, names the error, and the CLI exits 3', async () => {
    const out = join(await tempDir(), 'r.json');
    const result = await runWithFault('crash-after:200', out);
    await expectFailureReport(result, out, /worker 0 crashed: fault injection: worker 0 crashed after 200 requests/);
  });

  it('exits without its last results: the run does not wait for it, and exits 3', async () => {
    const out = join(await tempDir(), 'r.json');
    const result = await runWithFault('exit-after:200', out);
    await expectFailureReport(result, out, /worker 0 exited \(code 0\) without reporting its last results/);
  });
});
