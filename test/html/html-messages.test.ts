import { describe, expect, it } from 'vitest';
import { compareReports } from '../../reports/compare/compare-reports.js';
import { renderHtmlReport } from '../../reports/writers/html.js';
import { formatSignificant } from '../../reports/writers/html/format.js';
import { ECHO_MIX, echoReport } from '../support/echo-report.js';
import { syntheticReport } from '../support/synthetic-report.js';

/** The `<section>` with `id`, as text. */
function sectionOf(html: string, id: string): string {
  const match = new RegExp(`<section id="${id}">([\\s\\S]*?)</section>`).exec(html);
  return match?.[1] ?? '';
}

/** The cells of the table row whose first cell is `key`. */
function rowCells(html: string, key: string): string[] {
  const row = [...html.matchAll(/<tr>(.*?)<\/tr>/g)].map((m) => m[1] ?? '').find((r) => r.startsWith(`<td class="key">${key}</td>`) || r.startsWith(`<td class="key total">${key}</td>`));
  return [...(row ?? '').matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((m) => m[1] ?? '');
}

describe('the HTML report with message figures', () => {
  const lossy = echoReport({ lostPerSecond: [2, 2, 2, 2, 2], reordered: 3, duplicates: 1, thresholds: ['echo.rtt.p99<60s'] });
  const baseline = echoReport({ seed: 2 });

  it('shows a Messages table in the figures: counts, loss, msg/s, RTT and order, for the echo kind only', () => {
    const figures = sectionOf(renderHtmlReport(lossy), 'figures');
    expect(figures).toContain('<h3>Messages</h3>');
    const rtt = lossy.byKind.echo?.rttMs;
    const cells = rowCells(figures.slice(figures.indexOf('<h3>Messages</h3>')), 'echo');
    expect(cells).toEqual([
      'echo', '1,000', '990', '10', '1.00 %', '198',
      ...[rtt?.p50, rtt?.p90, rtt?.p99, rtt?.max].map((v) => `${formatSignificant(v ?? Number.NaN)} ms`), '3', '1',
    ]);
    expect(rowCells(figures.slice(figures.indexOf('<h3>Messages</h3>')), 'get')).toEqual([]);
  });

  it('adds RTT, msg/s and loss columns to the before/after table, with the verdicts of compare', () => {
    const html = renderHtmlReport(lossy, { baseline, comparison: compareReports(baseline, lossy) });
    const comparison = sectionOf(html, 'comparison');
    expect(comparison).toContain('<th>RTT p99 (ms)</th><th>msg/s</th><th>loss (%)</th>');
    const echo = rowCells(comparison, 'echo');
    expect(echo.at(-1)).toBe('0.00 → 1.00 (—)');
    expect(echo.at(-2)).toBe('200 → 198 (−1.0 %)');
    // The HTTP kind has no message figures: dashes, not zeros.
    expect(rowCells(comparison, 'get').slice(-4)).toEqual(['—', '—', '—', '—']);
    expect(comparison).toMatch(/<tr><td class="key">echo<\/td>.*<td class="worse num">0\.00 → 1\.00 \(—\)<\/td><\/tr>/);
  });

  it('shows a message threshold not measured as such', () => {
    const refused = syntheticReport({
      scenario: 'echo-mix',
      kinds: { echo: { latenciesMs: [5], requestsPerSecond: [4], failuresPerSecond: [4], failureCause: 'proxy_refused', protocol: 'socks5' } },
      config: { scenario: 'echo-mix', mix: ECHO_MIX },
      thresholds: ['echo.lossRate<0.01'],
    });
    const html = renderHtmlReport(refused);
    expect(rowCells(sectionOf(html, 'thresholds'), 'echo.lossRate&lt;0.01')).toEqual(['echo.lossRate&lt;0.01', 'not measured', '&lt; 0.010', 'FAILED']);
    expect(html).not.toContain('<h3>Messages</h3>');
  });

  it('shows no message table or column for a report without messages', () => {
    const http = syntheticReport({ kinds: { 'get-1k': { latenciesMs: [5, 6, 7], requestsPerSecond: [30, 30, 30] } } });
    const html = renderHtmlReport(http, { baseline: http, comparison: compareReports(http, http) });
    expect(html).not.toContain('<h3>Messages</h3>');
    expect(html).not.toContain('RTT p99');
  });
});
