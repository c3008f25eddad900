import type { Argv, CommandModule } from 'yargs';
import { mergeReports } from '../../../reports/merge-reports.js';
import { readReport } from '../../../reports/read-report.js';
import type { Report } from '../../../reports/schema.js';
import { formatRunSummary } from '../../../reports/writers/console-summary.js';
import { writeReportJson } from '../../../reports/writers/json-file.js';
import { EXIT_CODES } from '../../../core/errors.js';
import { formatDurationMs } from '../../../core/units.js';

/** The flags of `proxybench merge`. */
export interface MergeFlags {
  reports: string[];
  output: string;
  /** Add whole runs back to back instead of merging the shards of one run. */
  sequential?: boolean;
  quiet?: boolean;
}

/**
 * Merges report files and writes the merged report; the library part of the command.
 *
 * @returns the merged report and the exit code it earns (1 when a re-evaluated threshold failed)
 * @throws ReportError for unreadable reports or reports that do not belong together (exit 2)
 */
export async function mergeFiles(flags: MergeFlags, print: (text: string) => void, color = false): Promise<{ report: Report; exitCode: number }> {
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

/**
 * `proxybench merge <reports..> -o all.json`: merges the reports of the shards of one run exactly
 * (histograms added, counters summed, series aligned by second) and re-evaluates the thresholds;
 * with `--sequential`, adds whole runs back to back instead.
 */
export const mergeCommand: CommandModule<object, MergeFlags> = {
  command: 'merge <reports..>',
  describe: 'Merge the shards of one run into one report, or whole runs back to back (--sequential)',
  builder: (y: Argv) =>
    y
      .positional('reports', { type: 'string', array: true, demandOption: true, describe: 'Shard reports (JSON written by `proxybench run --shard i/N`); with --sequential, whole runs' })
      .option('output', { type: 'string', alias: 'o', requiresArg: true, demandOption: true, describe: 'Where to write the merged report (JSON). Required' })
      .option('sequential', {
        type: 'boolean',
        describe: 'Add whole runs made one after another instead: counts and histograms add, durations add, rates are over the summed duration. Default: off (shards of one run only)',
      })
      .option('quiet', { type: 'boolean', alias: 'q', describe: 'Print nothing but errors. Default: false (prints the merged summary)' }),
  handler: async (flags) => {
    const outcome = await mergeFiles(flags, (text) => console.log(text), process.stdout.isTTY === true && !process.env.NO_COLOR);
    process.exitCode = outcome.exitCode;
  },
};
