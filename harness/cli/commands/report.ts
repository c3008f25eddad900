import type { Argv, CommandModule } from 'yargs';
import { writeReportViews, type ReportViewsOptions } from '../../../reports/writers/report-views.js';

/**
 * `proxybench report <report.json> [--baseline base.json] [--html out.html] [--md out.md]
 * [--junit out.xml]`: views of a report file. It only reads files and writes views; it exits 0 when
 * they are written (gating on a regression is `proxybench compare`'s job) and 2 on bad input.
 */
export const reportCommand: CommandModule<object, ReportViewsOptions> = {
  command: 'report <report>',
  describe: 'Write views of a report: self-contained HTML with plots, Markdown, JUnit XML',
  builder: (y: Argv) =>
    y
      .positional('report', { type: 'string', demandOption: true, describe: 'Report to show (JSON written by `proxybench run` or `merge`)' })
      .option('baseline', { type: 'string', requiresArg: true, describe: 'An earlier report: adds before/after figures, dashed plot lines and compare\'s verdicts. Default: none' })
      .option('html', { type: 'string', requiresArg: true, describe: 'Write a self-contained HTML page (plots inlined, works offline). Default: none' })
      .option('md', { type: 'string', requiresArg: true, describe: 'Write a Markdown summary (PR comment, $GITHUB_STEP_SUMMARY). Default: none' })
      .option('junit', { type: 'string', requiresArg: true, describe: 'Write JUnit XML (thresholds and compared metrics as test cases). Default: none' })
      .option('force', { type: 'boolean', describe: 'With --baseline: compare reports of different scenarios or schema major versions anyway. Default: false' })
      .example('$0 report run.json --html run.html', 'one page to open in a browser or keep as a CI artifact')
      .example('$0 report run.json --baseline main.json --html diff.html --md summary.md', 'before/after views'),
  handler: async (flags) => {
    for (const view of await writeReportViews(flags)) {
      console.log(`Wrote ${view.format} view to ${view.path} (${Math.ceil(view.bytes / 1024)} KiB)`);
    }
  },
};
