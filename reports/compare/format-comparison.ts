import Table from 'cli-table3';
import { painter, type Style } from '../writers/ansi.js';
import type { Comparison, Verdict } from './compare-reports.js';
import { metricLabel, metricValueText, pValueText } from './metric-label.js';

const VERDICT_STYLE: Readonly<Record<Verdict, Style | undefined>> = {
  regression: 'red',
  improvement: 'green',
  'no change': undefined,
};

/**
 * The comparison as a console table (cli-table3): one row per metric, grouped by scope (total,
 * then each request kind), with before, after, change, tolerance, p-value and verdict, followed by
 * a one-line summary and any notes. `color` adds ANSI colours (only when asked, e.g. on a TTY).
 */
export function formatComparisonTable(comparison: Comparison, options: { color?: boolean } = {}): string {
  const paint = painter(options.color ?? false);
  const table = new Table({
    head: ['scope', 'metric', 'before', 'after', 'change', 'tolerance', 'p', 'verdict'],
    style: { head: options.color ? ['cyan'] : [], border: [] },
    colAligns: ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'left'],
  });
  let previousScope = '';
  for (const m of comparison.metrics) {
    const style = VERDICT_STYLE[m.verdict];
    table.push([
      m.scope === previousScope ? '' : m.scope,
      metricLabel(m.metric),
      metricValueText(m.metric, m.before),
      metricValueText(m.metric, m.after),
      m.changeText,
      m.tolerance,
      pValueText(m.pValue, m.significant),
      style ? paint(style, m.verdict) : m.verdict,
    ]);
    previousScope = m.scope;
  }
  const lines = [
    `baseline: ${comparison.baseline.scenario} @ ${comparison.baseline.startedAt} (proxybench ${comparison.baseline.version})`,
    `current:  ${comparison.current.scenario} @ ${comparison.current.startedAt} (proxybench ${comparison.current.version})`,
    table.toString(),
    summaryLine(comparison, paint),
    ...comparison.notes.map((note) => paint('yellow', `note: ${note}`)),
  ];
  return lines.join('\n');
}

function summaryLine(comparison: Comparison, paint: ReturnType<typeof painter>): string {
  const { regressions, improvements } = comparison;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const text = `${plural(regressions, 'regression')}, ${plural(improvements, 'improvement')} (significance level ${comparison.alpha})`;
  return regressions > 0 ? paint('red', paint('bold', text)) : paint('green', text);
}
