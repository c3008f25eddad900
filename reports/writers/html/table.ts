import { escapeHtml } from './escape.js';

/**
 * A small HTML table builder for the report's figure tables. Every cell is plain text and is
 * escaped here, so no caller can forget to escape a value that came from a report file.
 */

/** One cell: plain text, or text with a CSS class (e.g. `better`, `worse`; `text` never right-aligns). */
export type TableCell = string | { readonly text: string; readonly className: string };

/** Renders a table (no header row when `headers` is empty); numeric-looking cells are right-aligned so figures line up by digit. */
export function htmlTable(headers: readonly string[], rows: readonly (readonly TableCell[])[], caption?: string): string {
  const head = headers.length === 0 ? '' : `<thead><tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>`;
  const body = rows.map((row) => `<tr>${row.map(renderCell).join('')}</tr>`).join('\n');
  const cap = caption === undefined ? '' : `<caption>${escapeHtml(caption)}</caption>`;
  return `<table>${cap}${head}\n<tbody>\n${body}\n</tbody></table>`;
}

function renderCell(cell: TableCell): string {
  const text = typeof cell === 'string' ? cell : cell.text;
  const className = typeof cell === 'string' ? '' : cell.className;
  // `text` cells opt out: a key/value table reads better with every value aligned left.
  const classes = [className, className !== 'text' && isNumeric(text) ? 'num' : '']
    .filter((c) => c !== '')
    .join(' ');
  const attr = classes === '' ? '' : ` class="${escapeHtml(classes)}"`;
  return `<td${attr}>${escapeHtml(text)}</td>`;
}

/** Figures (with units or signs) align right; names and words align left. */
function isNumeric(text: string): boolean {
  return /^[-+−]?[\d.,]+\s?(%|ms|MiB|Mb\/s|s|×)?(\s.*)?$/.test(text) || text === '—';
}

/** Key/value rows as a two-column table (environment, SUT, harness). */
export function keyValueTable(rows: readonly (readonly [string, string])[], caption?: string): string {
  return htmlTable([], rows.map(([k, v]) => [{ text: k, className: 'key' }, { text: v, className: 'text' }]), caption);
}
