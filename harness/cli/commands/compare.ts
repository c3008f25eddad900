import type { Argv, CommandModule } from 'yargs';
import { compareReports, type Comparison } from '../../../reports/compare/compare-reports.js';
import { formatComparisonTable } from '../../../reports/compare/format-comparison.js';
import { DEFAULT_TOLERANCES, isTolerance } from '../../../reports/compare/tolerances.js';
import { readReport } from '../../../reports/read-report.js';
import type { ThresholdResult } from '../../../reports/schema.js';
import { evaluateThresholds } from '../../../reports/thresholds/evaluate-thresholds.js';
import { parseThreshold } from '../../../reports/thresholds/parse-threshold.js';
import { formatThresholdLines } from '../../../reports/writers/threshold-lines.js';
import { writeFileAtomic } from '../../../reports/writers/json-file.js';
import { renderJunit } from '../../../reports/writers/junit.js';
import { renderMarkdown } from '../../../reports/writers/markdown.js';
import { EXIT_CODES } from '../../../core/errors.js';

/** The flags of `proxybench compare`. */
export interface CompareFlags {
  baseline: string;
  current: string;
  threshold?: string[];
  force?: boolean;
  alpha?: number;
  md?: string;
  junit?: string;
  json?: string;
}

/** What `compare` prints and writes, and the exit code it earns. */
export interface CompareOutcome {
  readonly comparison: Comparison;
  readonly thresholds: readonly ThresholdResult[];
  readonly exitCode: number;
}

const DEFAULTS_TEXT = Object.entries(DEFAULT_TOLERANCES).map(([metric, change]) => `${metric}:${change}`).join(', ');

/**
 * Compares two report files and writes the optional views. The library part of the command (the
 * handler only prints), so it is tested without a child process.
 *
 * @throws UsageError / ReportError for bad flags, unreadable or incomparable reports (exit 2)
 */
export async function compareFiles(flags: CompareFlags, print: (text: string) => void, color = false): Promise<CompareOutcome> {
  const expressions = flags.threshold ?? [];
  // Parse every expression before reading files: a typo is reported as such, not as a file problem.
  const absolute = expressions.filter((e) => !isTolerance(e)).map((e) => parseThreshold(e, '--threshold'));
  const tolerances = expressions.filter(isTolerance);
  const [baseline, current] = await Promise.all([readReport(flags.baseline), readReport(flags.current)]);
  const comparison = compareReports(baseline, current, {
    tolerances,
    ...(flags.force !== undefined ? { force: flags.force } : {}),
    ...(flags.alpha !== undefined ? { alpha: flags.alpha } : {}),
  });
  const thresholds = evaluateThresholds(current, absolute);
  const gated = { ...current, thresholds };
  print(formatComparisonTable(comparison, { color }));
  if (thresholds.length > 0) print(formatThresholdLines(thresholds, { color }).join('\n'));
  if (flags.md) await writeFileAtomic(flags.md, renderMarkdown(gated, comparison));
  if (flags.junit) await writeFileAtomic(flags.junit, renderJunit(gated, comparison));
  if (flags.json) await writeFileAtomic(flags.json, `${JSON.stringify({ ...comparison, thresholds }, null, 2)}\n`);
  const failed = comparison.regressions > 0 || thresholds.some((t) => !t.passed);
  return { comparison, thresholds, exitCode: failed ? EXIT_CODES.failed : EXIT_CODES.ok };
}

/**
 * `proxybench compare <baseline> <current>`: a table per request kind and in total with a verdict
 * per metric; exit 0 no regression, 1 a regression or a failed threshold, 2 bad usage or reports
 * that cannot be compared (different schema major or scenario, unless --force).
 */
export const compareCommand: CommandModule<object, CompareFlags> = {
  command: 'compare <baseline> <current>',
  describe: 'Compare a report with a baseline report: verdict per metric, exit 1 on a regression',
  builder: (y: Argv) =>
    y
      .positional('baseline', { type: 'string', demandOption: true, describe: 'Baseline report (JSON written by `proxybench run`)' })
      .positional('current', { type: 'string', demandOption: true, describe: 'Current report to judge against the baseline' })
      .option('threshold', {
        // nargs 1: one value per flag, so `-t p99:+5% base.json cur.json` leaves the positionals alone.
        type: 'string', array: true, nargs: 1, alias: 't', requiresArg: true,
        describe:
          "Repeatable. A tolerance 'metric:change' ('p99:+5%', 'get-1k.successRate:-0.5pt', 'rps:-5%'; % relative, pt percentage points) " +
          `overrides a default (${DEFAULTS_TEXT}); an absolute gate 'p95<100ms' is checked on the current report. Default: none`,
      })
      .option('force', { type: 'boolean', describe: 'Compare reports of different scenarios or schema major versions anyway. Default: false' })
      .option('alpha', { type: 'number', requiresArg: true, describe: 'Significance level of the tests (a change must also be significant to count). Default: 0.05' })
      .option('md', { type: 'string', requiresArg: true, describe: 'Also write a Markdown summary (PR comment, $GITHUB_STEP_SUMMARY). Default: none' })
      .option('junit', { type: 'string', requiresArg: true, describe: 'Also write JUnit XML (each compared metric and threshold a test case). Default: none' })
      .option('json', { type: 'string', requiresArg: true, describe: 'Also write the comparison as JSON. Default: none' }),
  handler: async (flags) => {
    const outcome = await compareFiles(flags, (text) => console.log(text), process.stdout.isTTY === true && !process.env.NO_COLOR);
    process.exitCode = outcome.exitCode;
  },
};
