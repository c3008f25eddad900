import { describe, expect, it } from 'vitest';
import { compareReports } from '../../reports/compare/compare-reports.js';
import type { Report } from '../../reports/schema.js';
import { formatRunSummary } from '../../reports/writers/console-summary.js';
import { renderJunit } from '../../reports/writers/junit.js';
import { overheadTable } from '../../reports/writers/html/context-tables.js';
import { renderMarkdown } from '../../reports/writers/markdown.js';
import { latencySamples, noisyCounts, syntheticReport } from '../support/synthetic-report.js';
import { xmlProblem } from '../support/xml-well-formed.js';

function run(seed: number, medianMs: number, options: { thresholds?: string[]; socks?: boolean } = {}): Report {
  return syntheticReport({
    scenario: 'mixed <&> "quotes"',
    kinds: {
      'get-1k': { latenciesMs: latencySamples(600, medianMs, seed), requestsPerSecond: noisyCounts(10, 60, 0.03, seed), failuresPerSecond: [2, 0, 0, 1, 0, 0, 0, 0, 0, 0], ttfbFraction: 0.5 },
      'socks-get': { latenciesMs: latencySamples(300, medianMs * 2, seed + 1), requestsPerSecond: noisyCounts(10, 30, 0.03, seed + 1), protocol: options.socks ? 'socks5' : 'http-forward', failureCause: 'reset', failuresPerSecond: [0, 3] },
    },
    sut: { rssPeakMiB: 42.5, cpuPercentSamples: [30, 31, 29, 30] },
    ...(options.thresholds ? { thresholds: options.thresholds } : {}),
  });
}

const baseline = run(1, 10);
const current = run(2, 14, { thresholds: ['successRate>=0.995', 'p95<5ms', 'get-1k.p50<1s'], socks: true });
const comparison = compareReports(baseline, run(2, 14), { force: true });

describe('formatRunSummary', () => {
  const text = formatRunSummary(current);

  it('has a row per kind and the total with requests and success rate', () => {
    const total = current.totals;
    expect(text).toMatch(new RegExp(`│ get-1k +│ +${current.byKind['get-1k']?.requests} │ +99\\.\\d+% │`));
    expect(text).toMatch(new RegExp(`│ total +│ +${total.requests} │`));
    expect(text).toContain('reset 3');
  });

  it('shows rows per protocol only when more than one protocol ran', () => {
    expect(text).toContain('via socks5');
    expect(formatRunSummary(baseline)).not.toContain('via ');
  });

  it('prints phases, SUT and harness lines and each threshold with its value', () => {
    expect(text).toMatch(/^phases p50\/p99 ms: ttfb [\d.]+\/[\d.]+$/m);
    expect(text).toMatch(/^SUT \(embedded, pid 4242\): RSS peak 42\.5 MiB/m);
    expect(text).toMatch(/^harness: 1 worker\(s\), RSS peak 60 MiB/m);
    expect(text).toMatch(/^threshold ✗ FAIL {2}successRate>=0\.995 {2}\(successRate = 99\.\d+%\)$/m);
    expect(text).toMatch(/^threshold ✓ pass {2}get-1k\.p50<1s {2}\(get-1k\.p50 = [\d.]+ ms\)$/m);
  });

  it('adds ANSI colours only when asked', () => {
    expect(text).not.toContain('\u001b[');
    expect(formatRunSummary(current, { color: true })).toContain('\u001b[31m✗ FAIL');
  });
});

describe('renderMarkdown', () => {
  const markdown = renderMarkdown(current, comparison);

  it('has the results table with a row per kind and the total', () => {
    expect(markdown).toContain('|  | requests | success | req/s | Mbps | p50 ms | p90 ms | p99 ms | max ms | errors |\n|---|---:|');
    expect(markdown).toMatch(new RegExp(`^\\| get-1k \\| ${current.byKind['get-1k']?.requests} \\| 99\\.\\d+% \\|`, 'm'));
    expect(markdown).toMatch(new RegExp(`^\\| \\*\\*total\\*\\* \\| ${current.totals.requests} \\|`, 'm'));
  });

  it('lists thresholds with pass and fail marks and the measured value', () => {
    expect(markdown).toContain('#### Thresholds: 2 of 3 failed');
    expect(markdown).toMatch(/^\| ❌ \| `p95<5ms` \| [\d.]+ ms \|$/m);
  });

  it('puts the regressions up front and every compared metric in a collapsed section', () => {
    expect(markdown).toMatch(/\*\*\d+ regression\(s\)\*\*/);
    expect(markdown).toMatch(/^\| total \| latency p99 \| [\d.]+ ms \| [\d.]+ ms \| \+[\d.]+% \| \+10% \| <0\.001 \| 🔴 regression \|$/m);
    expect(markdown).toContain(`<details><summary>All ${comparison.metrics.length} compared metrics</summary>`);
  });

  it('escapes what would break the Markdown', () => {
    expect(markdown).toContain('### proxybench · mixed \\<&\\> "quotes"');
  });
});

describe('renderJunit', () => {
  const xml = renderJunit(current, comparison);

  it('is well-formed XML', () => {
    expect(xmlProblem(xml)).toBeUndefined();
    expect(xmlProblem('<a><b></a></b>')).toBe('unbalanced </a>');
  });

  it('counts a test case per threshold, compared metric and the run', () => {
    const failures = 2 + comparison.regressions;
    expect(xml).toContain(`<testsuites name="proxybench" tests="${1 + 3 + comparison.metrics.length}" failures="${failures}">`);
    expect(xml.match(/<testcase /g)).toHaveLength(1 + 3 + comparison.metrics.length);
    expect(xml.match(/<failure /g)).toHaveLength(failures);
  });

  it('gives failures their numbers', () => {
    expect(xml).toMatch(/<testcase classname="proxybench.thresholds" name="p95&lt;5ms" time="0">\n {6}<failure type="threshold" message="p95 = [\d.]+ ms, required &lt; 5 ms">/);
    expect(xml).toMatch(/<failure type="regression" message="total latency p99 regressed: [\d.]+ ms → [\d.]+ ms \(\+[\d.]+%, tolerance \+10%, p &lt;0\.001\)">/);
  });

  it('fails the run case when every request failed', () => {
    const failed = { ...baseline, totals: { ...baseline.totals, successes: 0, failures: baseline.totals.requests } };
    expect(renderJunit(failed)).toContain(`<failure type="all_failed" message="all ${baseline.totals.requests} requests failed">`);
    expect(xmlProblem(renderJunit(failed))).toBeUndefined();
  });
});

describe('the proxy overhead against going direct', () => {
  // Formatters never compute: the figures are given as a report holds them, one kind on each basis
  // (socks-get as a report written before `basis` existed).
  const withBaseline: Report = {
    ...current,
    directBaseline: {
      byKind: current.byKind,
      overheadByKind: {
        'get-1k': {
          latencyAddedMs: { p50: 20.25, p90: 20.5, p99: 21 },
          basis: 'minus-origin',
          latencyAddedGrossMs: { p50: 18.5, p90: 25.25, p99: -3 },
          throughputRatio: 0.45,
        },
        'socks-get': { latencyAddedMs: { p50: 1.5, p90: 2, p99: 4 }, throughputRatio: 0.9 },
      },
    },
  };

  it('prints a line per kind on the console with its basis, and the gross figure beside a subtracted one', () => {
    const text = formatRunSummary(withBaseline);
    expect(text).toContain('proxy added vs direct, p50/p90/p99 ms:');
    expect(text).toContain('  get-1k +20.25/+20.5/+21 (origin time subtracted; gross +18.5/+25.25/-3) · 0.45× direct req/s');
    expect(text).toContain('  socks-get +1.5/+2/+4 (latency difference) · 0.9× direct req/s');
    expect(formatRunSummary(current)).not.toContain('proxy added');
  });

  it('has a Markdown table with the basis and the gross figures', () => {
    const markdown = renderMarkdown(withBaseline);
    expect(markdown).toContain('#### Proxy overhead vs direct');
    expect(markdown).toContain('| get-1k | 20.25 | 20.5 | 21 | origin time subtracted | 18.5 | 25.25 | -3 | 0.45× |');
    expect(markdown).toContain('| socks-get | 1.5 | 2 | 4 | latency difference | – | – | – | 0.9× |');
    expect(renderMarkdown(current)).not.toContain('Proxy overhead');
  });

  it('has an HTML table with the basis and the gross figures', () => {
    const html = overheadTable(withBaseline) ?? '';
    expect(html).toContain('<th>basis</th>');
    expect(html).toMatch(/get-1k<\/td><td[^>]*>20\.3 ms<\/td>.*<td[^>]*>origin time subtracted<\/td><td[^>]*>18\.5 ms<\/td>/);
    expect(html).toMatch(/socks-get<\/td>.*<td[^>]*>latency difference<\/td><td[^>]*>—<\/td>/);
    expect(overheadTable(current)).toBeNull();
  });
});
