import { EXIT_CODES } from '../../core/errors.js';
import { readReport } from '../read-report.js';
import type { ThresholdResult } from '../schema.js';
import { evaluateThresholds } from '../thresholds/evaluate-thresholds.js';
import { parseThreshold } from '../thresholds/parse-threshold.js';
import { writeFileAtomic } from '../writers/json-file.js';
import { renderJunit } from '../writers/junit.js';
import { renderMarkdown } from '../writers/markdown.js';
import { formatThresholdLines } from '../writers/threshold-lines.js';
import { compareReports, type Comparison } from './compare-reports.js';
import { formatComparisonTable } from './format-comparison.js';
import { isTolerance } from './tolerances.js';

/** What to compare and which views to write: the options of `proxybench compare`. */
export interface CompareFilesOptions {
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

/**
 * Compares two report files, checks the absolute gates on the current one and writes the optional
 * views: everything `proxybench compare` does but printing its exit code.
 *
 * @throws UsageError / ReportError for bad flags, unreadable or incomparable reports (exit 2)
 */
export async function compareFiles(flags: CompareFilesOptions, print: (text: string) => void, color = false): Promise<CompareOutcome> {
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
