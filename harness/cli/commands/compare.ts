import type { Argv, CommandModule } from 'yargs';
import { compareFiles, type CompareFilesOptions } from '../../../reports/compare/compare-files.js';
import { DEFAULT_TOLERANCES } from '../../../reports/compare/tolerances.js';

const DEFAULTS_TEXT = Object.entries(DEFAULT_TOLERANCES).map(([metric, change]) => `${metric}:${change}`).join(', ');

/**
 * `proxybench compare <baseline> <current>`: a table per request kind and in total with a verdict
 * per metric; exit 0 no regression, 1 a regression or a failed threshold, 2 bad usage or reports
 * that cannot be compared (different schema major or scenario, unless --force).
 */
export const compareCommand: CommandModule<object, CompareFilesOptions> = {
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
