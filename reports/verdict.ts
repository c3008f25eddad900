import { EXIT_CODES } from '../core/errors.js';
import type { Report } from './schema.js';

/**
 * The exit code a finished run earns (README's exit-code table), from its report and the number of
 * regressions a baseline comparison found: the CLI only passes it on, and the typed API returns it
 * (`runWithVerdict`). A hold run (`many-connections`) makes no requests when idle: it fails (1)
 * when no connection was held to the end (none established, or the proxy closed them all), and
 * could not be carried out (3) when the harness hit its own fd or port limit — the figures would
 * describe the harness, not the proxy.
 */
export function runExitCode(report: Report, regressions: number): number {
  // The SUT or a worker thread died mid-run: the partial figures describe a failure, not the proxy.
  if (report.warnings.some((w) => w.code === 'sut_failed' || w.code === 'worker_failed')) return EXIT_CODES.couldNotRun;
  if (report.partial) return EXIT_CODES.interrupted;
  const allFailed = report.totals.requests > 0 && report.totals.successes === 0;
  const thresholdFailed = report.thresholds.some((t) => !t.passed);
  if (report.held) {
    if ((report.held.errors.harness_limit ?? 0) > 0) return EXIT_CODES.couldNotRun;
    const noneHeld = report.held.closedEarly >= report.held.established;
    return noneHeld || allFailed || thresholdFailed || regressions > 0 ? EXIT_CODES.failed : EXIT_CODES.ok;
  }
  if (allFailed || thresholdFailed || regressions > 0 || report.totals.requests === 0) return EXIT_CODES.failed;
  return EXIT_CODES.ok;
}
