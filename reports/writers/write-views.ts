import type { Comparison } from '../compare/compare-reports.js';
import type { Report } from '../schema.js';
import { renderHtmlReport } from './html.js';
import { writeFileAtomic } from './json-file.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';

/** Where to write each view of a report; a view left out is not written. */
export interface ViewPaths {
  readonly markdown?: string;
  readonly junit?: string;
  readonly html?: string;
}

/**
 * Writes the Markdown, JUnit and HTML views of a report (each atomically), with the comparison
 * against `baseline` where one was made. `proxybench run` and the typed `runWithVerdict` both
 * write their views through this one function.
 */
export async function writeViews(report: Report, paths: ViewPaths, compared?: { readonly baseline: Report; readonly comparison: Comparison }): Promise<void> {
  if (paths.markdown) await writeFileAtomic(paths.markdown, renderMarkdown(report, compared?.comparison));
  if (paths.junit) await writeFileAtomic(paths.junit, renderJunit(report, compared?.comparison));
  if (paths.html) await writeFileAtomic(paths.html, renderHtmlReport(report, compared ? { baseline: compared.baseline } : {}));
}
