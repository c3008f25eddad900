import type { CommandModule } from 'yargs';
import { compareReports } from '../../../reports/compare/compare-reports.js';
import { formatComparisonTable } from '../../../reports/compare/format-comparison.js';
import { readReport } from '../../../reports/read-report.js';
import type { Report } from '../../../reports/schema.js';
import { formatRunSummary } from '../../../reports/writers/console-summary.js';
import { writeFileAtomic } from '../../../reports/writers/json-file.js';
import { renderHtmlReport } from '../../../reports/writers/html.js';
import { renderJunit } from '../../../reports/writers/junit.js';
import { renderMarkdown } from '../../../reports/writers/markdown.js';
import { EXIT_CODES } from '../../../core/errors.js';
import { run } from '../../run/run.js';
import { createProgressLine } from '../progress-line.js';
import { declareRunFlags, isTolerance, runOptionsFromFlags, type RunFlags } from '../run-flags.js';
import { onInterrupt } from '../interrupt.js';

/**
 * `proxybench run <scenario>`: runs the scenario, prints the summary, writes the report (and the
 * optional Markdown/JUnit/HTML views), compares with --baseline, and sets the exit code:
 * 0 done · 1 every request failed, a threshold failed or a regression · 3 a hold run hit the
 * harness's own limits · 130 interrupted.
 */
export const runCommand: CommandModule<object, RunFlags> = {
  command: 'run <scenario>',
  describe: 'Run a scenario against a proxy and write a report',
  builder: (y) => declareRunFlags(y),
  handler: async (flags) => {
    const options = runOptionsFromFlags(flags);
    // Read the baseline first: a bad path is a usage error before a minute of load, not after.
    const baseline = flags.baseline ? await readReport(flags.baseline) : undefined;
    const interrupt = onInterrupt();
    const progress = flags.quiet ? undefined : createProgressLine(process.stderr);
    let report: Report;
    try {
      report = await run({
        ...options,
        out: flags.out,
        signal: interrupt.signal,
        ...(progress ? { onProgress: (p) => progress.update(p) } : {}),
      });
    } finally {
      progress?.clear();
      interrupt.dispose();
    }
    const tolerances = (flags.threshold ?? []).filter(isTolerance);
    const comparison = baseline ? compareReports(baseline, report, { tolerances }) : undefined;
    if (flags.md) await writeFileAtomic(flags.md, renderMarkdown(report, comparison));
    if (flags.junit) await writeFileAtomic(flags.junit, renderJunit(report, comparison));
    if (flags.html) await writeFileAtomic(flags.html, renderHtmlReport(report, baseline ? { baseline } : {}));
    if (!flags.quiet) {
      const color = process.stdout.isTTY === true;
      console.log(formatRunSummary(report, { color }));
      if (comparison) console.log(formatComparisonTable(comparison, { color }));
      console.log(`Report written to ${flags.out}`);
    }
    process.exitCode = runExitCode(report, comparison?.regressions ?? 0);
  },
};

/**
 * The exit code a finished run earns (DESIGN.md's table). A hold run (`many-connections`) makes no
 * requests when idle: it fails (1) when no connection was held to the end (none established, or
 * the proxy closed them all), and could not be carried out (3) when the harness hit its own fd or
 * port limit — the figures would describe the harness, not the proxy.
 */
export function runExitCode(report: Report, regressions: number): number {
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
