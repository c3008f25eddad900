/**
 * Number formatting for the HTML report. Pure presentation: rounding and units only, never a
 * statistic of its own.
 */

/** An integer count with thousands separators, e.g. `12,345`. */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** A millisecond figure with precision that suits its size (0.123 ms, 12.3 ms, 1,234 ms). */
export function formatMs(valueMs: number): string {
  return `${formatSignificant(valueMs)} ms`;
}

/** A 0..1 ratio as a percentage, e.g. `99.95 %`. */
export function formatRatio(ratio: number): string {
  return `${(ratio * 100).toFixed(ratio === 1 || ratio === 0 ? 0 : 2)} %`;
}

/** A plain figure, rounded to about 3 significant digits but never hiding integer digits. */
export function formatSignificant(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 100) return Math.round(value).toLocaleString('en-US');
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  if (abs === 0) return '0';
  return value.toFixed(3);
}

/** Relative change from `before` to `after`, e.g. `+12.5 %`; `—` when `before` is 0. */
export function formatChange(before: number, after: number): string {
  if (before === 0) return after === 0 ? '0 %' : '—';
  // Signed after rounding, so a change of −0.01 % reads `0.0 %`, not `−0.0 %`.
  const change = Math.round(((after - before) / before) * 1000) / 10;
  const sign = change > 0 ? '+' : change < 0 ? '−' : '';
  return `${sign}${Math.abs(change).toFixed(1)} %`;
}
