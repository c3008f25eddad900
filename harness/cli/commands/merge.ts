import type { Argv, CommandModule } from 'yargs';
import { mergeFiles, type MergeFilesOptions } from '../../../reports/merge-files.js';

/**
 * `proxybench merge <reports..> -o all.json`: merges the reports of the shards of one run exactly
 * (histograms added, counters summed, series aligned by second) and re-evaluates the thresholds;
 * with `--sequential`, adds whole runs back to back instead.
 */
export const mergeCommand: CommandModule<object, MergeFilesOptions> = {
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
