import type { Comparison, Verdict } from '../../compare/compare-reports.js';
import type { Report, Stats } from '../../schema.js';
import { escapeHtml } from './escape.js';
import { formatChange, formatSignificant } from './format.js';
import { htmlTable, type TableCell } from './table.js';

/**
 * The before/after view of a report against a baseline: a compact table of figures per kind, and
 * when `compare`'s judgement is at hand, its verdicts. The HTML writer judges nothing itself.
 */

interface ComparedMetric {
  readonly label: string;
  /** The metric's name in a {@link Comparison} (`compare` judges only some of these). */
  readonly metric: string;
  /** `undefined` for a message figure of a block without messages. */
  readonly read: (s: Stats) => number | undefined;
  /** The figure without its unit (the header carries it), so a cell stays short: `1.34 → 1.68 (+25.4 %)`. */
  readonly show: (value: number) => string;
}

const percent = (ratio: number): string => (ratio * 100).toFixed(2);

const COMPARED: readonly ComparedMetric[] = [
  { label: 'p50 (ms)', metric: 'p50', read: (s) => s.latencyMs.p50, show: formatSignificant },
  { label: 'p95 (ms)', metric: 'p95', read: (s) => s.latencyMs.p95, show: formatSignificant },
  { label: 'p99 (ms)', metric: 'p99', read: (s) => s.latencyMs.p99, show: formatSignificant },
  { label: 'p99.9 (ms)', metric: 'p999', read: (s) => s.latencyMs.p999, show: formatSignificant },
  { label: 'req/s', metric: 'rps', read: (s) => s.rps, show: formatSignificant },
  { label: 'success (%)', metric: 'successRate', read: (s) => s.successRate, show: percent },
];

/** Message figures, shown as columns only when some kind has them in both reports. */
const COMPARED_MESSAGES: readonly ComparedMetric[] = [
  { label: 'RTT p50 (ms)', metric: 'rtt.p50', read: (s) => s.rttMs?.p50, show: formatSignificant },
  { label: 'RTT p99 (ms)', metric: 'rtt.p99', read: (s) => s.rttMs?.p99, show: formatSignificant },
  { label: 'msg/s', metric: 'messagesPerSecond', read: (s) => s.messagesPerSecond, show: formatSignificant },
  { label: 'loss (%)', metric: 'lossRate', read: (s) => s.lossRate, show: percent },
];

const VERDICT_CLASS: Readonly<Record<Verdict, string>> = { regression: 'worse', improvement: 'better', 'no change': '' };

/**
 * Before → after figures per kind and total (kinds present in both reports), one row each. A cell
 * is coloured only by `comparison`'s verdict (a change beyond tolerance and significant), never by
 * the raw change: noise must not look like a regression.
 */
export function comparisonTable(report: Report, baseline: Report, comparison?: Comparison): string {
  const verdicts = new Map((comparison?.metrics ?? []).map((m) => [`${m.scope}|${m.metric}`, m.verdict]));
  const pairs: [string, Stats, Stats][] = [['total', baseline.totals, report.totals]];
  for (const [kind, after] of Object.entries(report.byKind)) {
    const before = baseline.byKind[kind];
    if (before !== undefined) pairs.push([kind, before, after]);
  }
  const withMessages = pairs.some(([, before, after]) => before.messages !== undefined && after.messages !== undefined);
  const columns = withMessages ? [...COMPARED, ...COMPARED_MESSAGES] : COMPARED;
  const rows = pairs.map(([name, before, after]): TableCell[] => [
    { text: name, className: 'key' },
    ...columns.map((m): TableCell => {
      const b = m.read(before);
      const a = m.read(after);
      if (b === undefined || a === undefined) return '—';
      const verdict = verdicts.get(`${name}|${m.metric}`);
      return { text: `${m.show(b)} → ${m.show(a)} (${formatChange(b, a)})`, className: verdict ? VERDICT_CLASS[verdict] : '' };
    }),
  ]);
  return htmlTable(['kind', ...columns.map((m) => m.label)], rows);
}

/** `compare`'s verdict line, every compared metric (folded), and its notes. */
export function verdictBlock(comparison: Comparison): string {
  const rows = comparison.metrics.map((m): TableCell[] => [
    { text: m.scope, className: 'key' },
    m.metric,
    formatSignificant(m.before),
    formatSignificant(m.after),
    m.changeText,
    m.tolerance,
    m.pValue === null ? '—' : m.pValue.toFixed(3),
    { text: m.verdict, className: VERDICT_CLASS[m.verdict] },
  ]);
  const notes = comparison.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('');
  return `<p class="verdict"><b>compare:</b> ${comparison.regressions} regression(s), ${comparison.improvements} improvement(s) ` +
    `at α = ${comparison.alpha}. Coloured cells above are its verdicts (beyond tolerance and significant).</p>` +
    (notes === '' ? '' : `<ul class="notes">${notes}</ul>`) +
    `<details><summary>Every compared metric</summary>${htmlTable(['scope', 'metric', 'before', 'after', 'change', 'tolerance', 'p', 'verdict'], rows)}</details>`;
}
