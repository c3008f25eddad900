import { createHash } from 'node:crypto';
import type { Comparison } from '../compare/compare-reports.js';
import type { Report } from '../schema.js';
import {
  configBlock, environmentTable, errorTable, harnessTable, headerSummary, heldTable, overheadTable, runTable, sutTable,
  thresholdsTable, warningsBlock,
} from './html/context-tables.js';
import { escapeHtml, jsonForScript } from './html/escape.js';
import { comparisonTable, verdictBlock } from './html/comparison-tables.js';
import { byProxyTable, headlineTable, messagesTable, phasesTable } from './html/figure-tables.js';
import { PAGE_SCRIPT } from './html/page-script.js';
import { PAGE_STYLE } from './html/page-style.js';
import { percentilePlot } from './html/percentile-plot.js';
import type { PlotSpec } from './html/plot-spec.js';
import { errorsPlot, latencyPlot, rpsPlot, sutPlots } from './html/time-plots.js';
import { readUplotAssets } from './html/uplot-assets.js';

/** Options of {@link renderHtmlReport}. */
export interface HtmlReportOptions {
  /** A report of an earlier run: shown as dashed "before" lines and a before/after table. */
  readonly baseline?: Report;
  /**
   * `compareReports(baseline, report)`'s result: its verdicts colour the before/after table and are
   * listed in full. Without it the changes are shown uncoloured (this writer judges nothing).
   */
  readonly comparison?: Comparison;
  /** Page title; default `proxybench: <scenario>`. */
  readonly title?: string;
}

/**
 * Renders a report as one self-contained HTML page: uPlot and all data inlined, no network request
 * (a Content-Security-Policy with `default-src 'none'` and hashed inline scripts enforces it), so the
 * file can be archived as a CI artifact and opened offline. Returns the page's text.
 */
export function renderHtmlReport(report: Report, options: HtmlReportOptions = {}): string {
  const { baseline, comparison } = options;
  const plots = {
    percentiles: percentilePlot(report, baseline),
    rps: rpsPlot(report, baseline),
    latency: latencyPlot(report, baseline),
    errors: errorsPlot(report, baseline),
    sut: sutPlots(report, baseline),
  };
  const specs = [plots.percentiles, plots.rps, plots.latency, plots.errors, ...plots.sut].filter((p): p is PlotSpec => p !== null);
  const body = [
    headerHtml(report, baseline),
    warningsBlock(report),
    nav(report.thresholds.length > 0, baseline !== undefined),
    section('figures', 'Headline figures', scroll(headlineTable(report)) + messagesHtml(report) + byProxyHtml(report) + overheadHtml(report)),
    report.held ? section('held', 'Held connections', heldTable(report.held)) : '',
    thresholdsHtml(report),
    baseline ? section('comparison', 'Before / after', comparisonHtml(report, baseline, comparison)) : '',
    section('latency', 'Latency percentiles', plotOrNote(plots.percentiles, 'No request succeeded: no latency to plot.') + latencyHint(baseline !== undefined) +
      '<h3>Setup phases and service time</h3>' + scroll(phasesTable(report))),
    section('over-time', 'Over time', `<div class="plots">${[
      plotOrNote(plots.rps, 'The report has no per-second series.'),
      plotOrNote(plots.latency, 'The report has no per-second series.'),
      plotOrNote(plots.errors, 'No failures in any second.'),
    ].join('')}</div>`),
    section('errors', 'Errors by cause', errorTable(report, baseline) ?? '<p class="note">No request failed.</p>'),
    section('sut', 'System under test', sutHtml(report, plots.sut)),
    section('harness', 'Harness', harnessTable(report.harness)),
    section('run', 'Run, environment and config', `<div class="side-by-side">${runTable(report)}${environmentTable(report.environment)}</div>${configBlock(report.config)}`),
  ].join('\n');
  return page(options.title ?? `proxybench: ${report.scenario}`, body, specs);
}

function nav(withThresholds: boolean, withComparison: boolean): string {
  const links = [
    ['figures', 'Figures'], ...(withThresholds ? [['thresholds', 'Thresholds']] : []), ...(withComparison ? [['comparison', 'Before / after']] : []), ['latency', 'Latency'],
    ['over-time', 'Over time'], ['errors', 'Errors'], ['sut', 'SUT'], ['harness', 'Harness'], ['run', 'Run &amp; config'],
  ];
  return `<nav>${links.map(([id, label]) => `<a href="#${id}">${label}</a>`).join('')}</nav>`;
}

function latencyHint(withBaseline: boolean): string {
  return '<p class="hint">HDR style: the x axis is 1/(1−p) on a log scale, so each step right adds a nine. ' +
    'Under the open model latency runs from each request\'s intended start (coordinated omission corrected). ' +
    `${withBaseline ? 'Dashed lines are the baseline. ' : ''}Drag to zoom, double-click to reset.</p>`;
}

function headerHtml(report: Report, baseline: Report | undefined): string {
  const against = baseline ? ` · compared with the run of ${escapeHtml(baseline.startedAt)}` : '';
  return `<header><h1>proxybench · ${escapeHtml(report.scenario)}</h1>` +
    `<p class="summary">${escapeHtml(headerSummary(report))}</p>` +
    `<p class="meta">started ${escapeHtml(report.startedAt)} · ${escapeHtml(report.tool.name)} ${escapeHtml(report.tool.version)}${against}</p></header>`;
}

function comparisonHtml(report: Report, baseline: Report, comparison: Comparison | undefined): string {
  const intro = `<p class="hint">Before: <b>${escapeHtml(baseline.scenario)}</b> started ${escapeHtml(baseline.startedAt)}; ` +
    `after: this report. Dashed lines in the plots below are the before run.</p>`;
  const judged = comparison
    ? verdictBlock(comparison)
    : '<p class="hint">Changes are shown, not judged: <code>proxybench compare</code> decides what is a regression.</p>';
  return intro + scroll(comparisonTable(report, baseline, comparison)) + judged;
}

/** The per-proxy table, when the report has byProxy. */
function byProxyHtml(report: Report): string {
  const table = byProxyTable(report);
  return table === null ? '' : `<h3>By proxy</h3>${scroll(table)}`;
}

function section(id: string, title: string, content: string): string {
  return `<section id="${id}"><h2>${escapeHtml(title)}</h2>\n${content}\n</section>`;
}

function scroll(table: string): string {
  return `<div class="scroll">${table}</div>`;
}

/** A plot's container (uPlot draws into it) or, when there is nothing to draw, a note saying why. */
function plotOrNote(spec: PlotSpec | null, note: string): string {
  if (spec === null) return `<p class="note">${escapeHtml(note)}</p>`;
  return `<figure class="plot"><figcaption>${escapeHtml(spec.title)}</figcaption><div id="${escapeHtml(spec.id)}"></div></figure>`;
}

function sutHtml(report: Report, plots: readonly PlotSpec[]): string {
  if (report.sut === null) {
    return '<p class="note">No SUT resources in this report: the proxy was reached by its URL only (no <code>--sut</code> command or <code>--sut-pid</code>), so its memory and CPU were not sampled.</p>';
  }
  const drawn = plots.length > 0 ? `<div class="plots">${plots.map((p) => plotOrNote(p, '')).join('')}</div>` : '<p class="note">No SUT samples.</p>';
  return drawn + sutTable(report.sut);
}

function thresholdsHtml(report: Report): string {
  const table = thresholdsTable(report);
  return table === null ? '' : section('thresholds', 'Thresholds', table);
}

/** Message figures under the headline table; nothing for a report without messages. */
function messagesHtml(report: Report): string {
  const table = messagesTable(report);
  return table === null
    ? ''
    : '<h3>Messages</h3><p class="hint">Per kind that echoes messages: msg/s counts verified echoes; RTT runs from a message\'s first byte written to its echo verified. ' +
      'A request of these kinds is a whole session, so its latency above is the session\'s.</p>' + scroll(table);
}

function overheadHtml(report: Report): string {
  const table = overheadTable(report);
  return table === null ? '' : `<h3>Proxy overhead against going direct</h3>${table}`;
}

/** The CSP source of an inline element's exact text. */
function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

function page(title: string, body: string, specs: readonly PlotSpec[]): string {
  const uplot = readUplotAssets();
  const style = `${uplot.style}\n${PAGE_STYLE}`;
  // Only the two scripts and the one stylesheet hashed here may run; nothing may be fetched. The JSON
  // block is data (type application/json) and never executes, so it needs no hash.
  const csp = [
    "default-src 'none'", `script-src ${cspHash(uplot.script)} ${cspHash(PAGE_SCRIPT)}`, `style-src ${cspHash(style)}`,
    "img-src 'none'", "base-uri 'none'", "form-action 'none'",
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${style}</style>
</head>
<body>
<main>
${body}
</main>
<script type="application/json" id="pb-plot-data">${jsonForScript(specs)}</script>
<script>${uplot.script}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
