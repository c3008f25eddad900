import { EXIT_CODES } from '../core/errors.js';
import { formatDurationMs } from '../core/units.js';
import { mergeReports } from './merge-reports.js';
import { readReport } from './read-report.js';
import type { Report } from './schema.js';
import { formatRunSummary } from './writers/console-summary.js';
import { writeReportJson } from './writers/json-file.js';

/** Which reports to merge and where to: the options of `proxybench merge`. */
export interface MergeFilesOptions {
  reports: string[];
  output: string;
  /** Add whole runs back to back instead of merging the shards of one run. */
  sequential?: boolean;
  quiet?: boolean;
}

/**
 * Merges report files and writes the merged report: everything `proxybench merge` does but
 * setting its exit code.
 *
 * @returns the merged report and the exit code it earns (1 when a re-evaluated threshold failed)
 * @throws ReportError for unreadable reports or reports that do not belong together (exit 2)
 */
export async function mergeFiles(flags: MergeFilesOptions, print: (text: string) => void, color = false): Promise<{ report: Report; exitCode: number }> {
  const reports = await Promise.all(flags.reports.map((path) => readReport(path)));
  const report = mergeReports(reports, { mode: flags.sequential ? 'sequential' : 'shards', names: flags.reports });
  await writeReportJson(flags.output, report);
  if (!flags.quiet) {
    print(formatRunSummary(report, { color }));
    if (report.merged?.mode === 'sequential') {
      print(`Added ${reports.length} runs back to back (--sequential): ${formatDurationMs(report.durationMs)} measured in all, rates over that summed time; written to ${flags.output}`);
    } else {
      print(`Merged ${reports.length} report(s) into ${flags.output}`);
    }
  }
  return { report, exitCode: report.thresholds.some((t) => !t.passed) ? EXIT_CODES.failed : EXIT_CODES.ok };
}
