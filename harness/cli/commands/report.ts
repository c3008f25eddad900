import { resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { compareReports, type Comparison } from '../../../reports/compare/compare-reports.js';
import { readReport } from '../../../reports/read-report.js';
import { renderHtmlReport } from '../../../reports/writers/html.js';
import { writeFileAtomic } from '../../../reports/writers/json-file.js';
import { renderJunit } from '../../../reports/writers/junit.js';
import { renderMarkdown } from '../../../reports/writers/markdown.js';
import { UsageError } from '../../../core/errors.js';

/** The flags of `proxybench report`. */
export interface ReportFlags {
  report: string;
  baseline?: string;
  html?: string;
  md?: string;
  junit?: string;
  /** Compare with a baseline of another scenario or schema major version anyway. */
  force?: boolean;
}

/** One file the command wrote. */
export interface WrittenView {
  readonly format: 'html' | 'md' | 'junit';
  readonly path: string;
  readonly bytes: number;
}

const OUTPUT_FLAGS = ['html', 'md', 'junit'] as const;

/** Refuses flag sets that would do nothing or overwrite an input file, before any file is read. */
function checkOutputs(flags: ReportFlags): void {
  const outputs = OUTPUT_FLAGS.filter((f) => flags[f] !== undefined);
  if (outputs.length === 0) throw new UsageError('--html', 'name at least one view to write: --html out.html, --md out.md or --junit out.xml');
  const inputs = new Set([flags.report, flags.baseline].filter((p): p is string => p !== undefined).map((p) => resolve(p)));
  for (const flag of outputs) {
    if (inputs.has(resolve(flags[flag] as string))) throw new UsageError(`--${flag}`, `would overwrite an input report (${flags[flag]}); name another file`);
  }
}

/**
 * Reads a report (and optionally a baseline) and writes the requested views: a self-contained HTML
 * page, Markdown, JUnit XML. With a baseline, `compareReports` judges the change once and every view
 * shows the same verdicts. The library part of the command (the handler only prints).
 *
 * @returns the files written, in flag order
 * @throws UsageError for no output or an output that is an input (exit 2)
 * @throws ReportError for unreadable or incomparable reports, or an unwritable output (exit 2)
 */
export async function writeReportViews(flags: ReportFlags): Promise<WrittenView[]> {
  checkOutputs(flags);
  const [report, baseline] = await Promise.all([readReport(flags.report), flags.baseline === undefined ? undefined : readReport(flags.baseline)]);
  const comparison: Comparison | undefined = baseline ? compareReports(baseline, report, flags.force ? { force: true } : {}) : undefined;
  const views: [WrittenView['format'], string | undefined, () => string][] = [
    ['html', flags.html, () => renderHtmlReport(report, { baseline, comparison })],
    ['md', flags.md, () => renderMarkdown(report, comparison)],
    ['junit', flags.junit, () => renderJunit(report, comparison)],
  ];
  const written: WrittenView[] = [];
  for (const [format, path, render] of views) {
    if (path === undefined) continue;
    const content = render();
    await writeFileAtomic(path, content);
    written.push({ format, path, bytes: Buffer.byteLength(content, 'utf8') });
  }
  return written;
}

/**
 * `proxybench report <report.json> [--baseline base.json] [--html out.html] [--md out.md]
 * [--junit out.xml]`: views of a report file. It only reads files and writes views; it exits 0 when
 * they are written (gating on a regression is `proxybench compare`'s job) and 2 on bad input.
 */
export const reportCommand: CommandModule<object, ReportFlags> = {
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
