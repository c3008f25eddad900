import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compareReports } from '../../reports/compare/compare-reports.js';
import type { Report } from '../../reports/schema.js';
import { renderHtmlReport } from '../../reports/writers/html.js';
import { escapeHtml, jsonForScript } from '../../reports/writers/html/escape.js';
import { formatChange } from '../../reports/writers/html/format.js';
import type { PlotSpec } from '../../reports/writers/html/plot-spec.js';
import { htmlFixtureReport } from '../support/html-report-fixture.js';

const current = htmlFixtureReport();
const baseline = htmlFixtureReport({ seed: 7, latencyScale: 0.8, startedAt: '2025-04-30T09:00:00.000Z' });
const hostile = htmlFixtureReport({
  scenario: '<img src=x onerror="alert(1)">',
  kinds: [['</script><script>alert(2)</script>', 1.5, 200], ["it's <b>bold</b> & \u2028odd", 2, 100]],
});

/** The plot specs as the page's script will read them. */
function plotSpecs(html: string): PlotSpec[] {
  const match = /<script type="application\/json" id="pb-plot-data">([\s\S]*?)<\/script>/.exec(html);
  return JSON.parse(match?.[1] ?? 'null') as PlotSpec[];
}

/** The text of every executable inline script. */
function inlineScripts(html: string): string[] {
  return [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? '');
}

describe('renderHtmlReport', () => {
  it('escapes scenario and kind names so they show as text and never close a script', () => {
    const html = renderHtmlReport(hostile);
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;');
    // Three script elements (data, uPlot, page script) and exactly three closing tags.
    expect(html.match(/<\/script>/g)).toHaveLength(3);
    expect(plotSpecs(html)[0]?.lines.map((l) => l.label)).toContain('</script><script>alert(2)</script>');
  });

  it.each([
    ['<', '"\\u003c"'],
    ['</script>', '"\\u003c/script>"'],
    ['a\u2028b', '"a\\u2028b"'],
  ])('serialises %j for a JSON script block as %s', (value, expected) => {
    expect(jsonForScript(value)).toBe(expected);
    expect(JSON.parse(jsonForScript(value))).toBe(value);
  });

  it.each([
    ['<b>&"\'', '&lt;b&gt;&amp;&quot;&#39;'],
    ['plain-name_1', 'plain-name_1'],
  ])('escapes %j as %s', (text, expected) => {
    expect(escapeHtml(text)).toBe(expected);
  });

  it('references no external resource: no src, href, url() or @import leaving the page', () => {
    const html = renderHtmlReport(current, { baseline });
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:|\/\/|file:)/i);
    expect(html).not.toMatch(/url\(\s*["']?(https?:|\/\/)/i);
    expect(html).not.toMatch(/@import|<link\b|<iframe\b|<img\b/i);
  });

  it('allows exactly its own inline scripts and style by hash in a default-src none policy', () => {
    const html = renderHtmlReport(current);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
    const hash = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
    const scripts = inlineScripts(html);
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(scripts).toHaveLength(2);
    expect(csp).toContain(`script-src ${scripts.map(hash).join(' ')};`);
    expect(csp).toContain(`style-src ${hash(style)};`);
    expect(csp).not.toContain('unsafe-inline');
  });

  it('inlines uPlot itself, so the page draws offline', () => {
    const [uplot] = inlineScripts(renderHtmlReport(current));
    expect(uplot).toContain('var uPlot=function()');
    expect(uplot?.length).toBeGreaterThan(40_000);
  });

  it.each<[string, Report, Report | undefined, string[]]>([
    ['a report', current, undefined, ['plot-percentiles', 'plot-rps', 'plot-latency', 'plot-errors', 'plot-sut-rss', 'plot-sut-cpu']],
    ['a report without SUT', htmlFixtureReport({ withSut: false }), undefined, ['plot-percentiles', 'plot-rps', 'plot-latency', 'plot-errors']],
    ['a report and its baseline', current, baseline, ['plot-percentiles', 'plot-rps', 'plot-latency', 'plot-errors', 'plot-sut-rss', 'plot-sut-cpu']],
  ])('gives %s a container for every plot it has data for', (_, report, base, ids) => {
    const html = renderHtmlReport(report, { baseline: base });
    expect(plotSpecs(html).map((p) => p.id)).toEqual(ids);
    for (const id of ids) expect(html).toContain(`<div id="${id}"></div>`);
  });

  it('says why the SUT panel is missing when the report has no SUT', () => {
    const html = renderHtmlReport(htmlFixtureReport({ withSut: false }));
    expect(html).toContain('No SUT resources in this report');
    expect(html).not.toContain('SUT memory');
  });

  it('lists warnings before the figures', () => {
    const html = renderHtmlReport(current);
    const warning = html.indexOf('sut_memory_growth');
    expect(warning).toBeGreaterThan(0);
    expect(warning).toBeLessThan(html.indexOf('id="figures"'));
  });

  it('breaks errors down by cause with the report’s own counts per kind and total', () => {
    const html = renderHtmlReport(current);
    const row = /<tr><td class="key">timeout_ttfb<\/td>(.*?)<\/tr>/.exec(html)?.[1] ?? '';
    const counts = [...row.matchAll(/>([\d,]+)</g)].map((m) => Number(m[1]?.replace(/,/g, '')));
    const kinds = Object.values(current.byKind).map((s) => s.errors.timeout_ttfb ?? 0);
    expect(counts).toEqual([...kinds, current.totals.errors.timeout_ttfb]);
    expect(current.totals.errors.timeout_ttfb).toBe(51);
  });

  it('shows the before/after section only with a baseline, coloured by compare’s verdicts', () => {
    expect(renderHtmlReport(current)).not.toContain('id="comparison"');
    const comparison = compareReports(baseline, current);
    const html = renderHtmlReport(current, { baseline, comparison });
    expect(html).toContain('id="comparison"');
    expect(html).toContain(`<b>compare:</b> ${comparison.regressions} regression(s), ${comparison.improvements} improvement(s)`);
    const p50Total = comparison.metrics.find((m) => m.scope === 'total' && m.metric === 'p50');
    expect(p50Total?.verdict).toBe('regression');
    expect(html).toMatch(/<td class="worse num">1\.20 → 1\.49 \(\+24\.\d %\)<\/td>/);
  });
});

describe('formatChange', () => {
  it.each([
    [100, 124, '+24.0 %'],
    [100, 90, '−10.0 %'],
    [98.65, 98.64, '0.0 %'],
    [0, 0, '0 %'],
    [0, 5, '—'],
  ])('shows the change from %d to %d as %s', (before, after, expected) => {
    expect(formatChange(before, after)).toBe(expected);
  });
});
