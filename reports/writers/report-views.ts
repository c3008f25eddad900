import { resolve } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { compareReports, type Comparison } from '../compare/compare-reports.js';
import { readReport } from '../read-report.js';
import { renderHtmlReport } from './html.js';
import { writeFileAtomic } from './json-file.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';

/** Which report to show and which views to write: the options of `proxybench report`. */
export interface ReportViewsOptions {
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
function checkOutputs(flags: ReportViewsOptions): void {
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
 * shows the same verdicts. Everything `proxybench report` does but printing.
 *
 * @returns the files written, in flag order
 * @throws UsageError for no output or an output that is an input (exit 2)
 * @throws ReportError for unreadable or incomparable reports, or an unwritable output (exit 2)
 */
export async function writeReportViews(flags: ReportViewsOptions): Promise<WrittenView[]> {
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
