import { describe, expect, it } from 'vitest';
import { compareReports } from '../../reports/compare/compare-reports.js';
import { formatNumber } from '../../reports/metric-units.js';
import type { Report } from '../../reports/schema.js';
import { formatRunSummary } from '../../reports/writers/console-summary.js';
import { renderJunit } from '../../reports/writers/junit.js';
import { renderMarkdown } from '../../reports/writers/markdown.js';
import { ECHO_MIX, echoReport } from '../support/echo-report.js';
import { syntheticReport } from '../support/synthetic-report.js';
import { xmlProblem } from '../support/xml-well-formed.js';

const THRESHOLDS = ['echo.rtt.p99<60s', 'messagesPerSecond>=10000', 'echo.lossRate<0.001'];
// 2 of 200 messages lost a second (1 %), 3 reordered, 1 duplicate.
const lossy = echoReport({ lostPerSecond: [2, 2, 2, 2, 2], reordered: 3, duplicates: 1, thresholds: THRESHOLDS });
const clean = echoReport({ seed: 2 });
/** Every echo exchange refused before its first message: the echo kind has no message figures. */
const refused = syntheticReport({
  scenario: 'echo-mix',
  kinds: {
    get: { latenciesMs: [5], requestsPerSecond: [10, 10] },
    echo: { latenciesMs: [5], requestsPerSecond: [4, 4], failuresPerSecond: [4, 4], failureCause: 'proxy_refused', protocol: 'socks5' },
  },
  config: { scenario: 'echo-mix', mix: ECHO_MIX },
  thresholds: ['echo.lossRate<0.01'],
});

function echoFigures(report: Report): { p50: string; p99: string } {
  const rtt = report.byKind.echo?.rttMs;
  return { p50: formatNumber(rtt?.p50 ?? Number.NaN), p99: formatNumber(rtt?.p99 ?? Number.NaN) };
}

describe('console summary with messages', () => {
  it('prints a line per message kind: counts, loss when non-zero, msg/s, rtt p50/p99, reordering', () => {
    const text = formatRunSummary(lossy);
    const { p50, p99 } = echoFigures(lossy);
    const line = `messages echo: 1000 sent, 990 received, 10 lost (loss 1%) · 198 msg/s · rtt p50/p99 ${p50}/${p99} ms · 3 reordered, 1 duplicate(s)`;
    expect(text.split('\n')).toContain(line);
    // One message kind: no total line repeating it; none for the HTTP kind.
    expect(text).not.toMatch(/^messages (get|total)/m);
  });

  it('leaves loss out when nothing was lost, and adds a total line with two message kinds', () => {
    const line = formatRunSummary(clean).split('\n').find((l) => l.startsWith('messages echo:'));
    expect(line).toMatch(/^messages echo: 1000 sent, 1000 received, 0 lost · 200 msg\/s · rtt p50\/p99 [\d.]+\/[\d.]+ ms$/);
    const two = syntheticReport({
      kinds: {
        a: { latenciesMs: [5], requestsPerSecond: [10], messages: { perRequest: 2, rttMs: [1] } },
        b: { latenciesMs: [5], requestsPerSecond: [10], messages: { perRequest: 3, rttMs: [2] } },
      },
    });
    const lines = formatRunSummary(two).split('\n').filter((l) => l.startsWith('messages '));
    expect(lines.map((l) => l.split(':')[0])).toEqual(['messages a', 'messages b', 'messages total']);
    expect(lines[2]).toContain('50 sent, 50 received, 0 lost · 50 msg/s');
  });

  it('prints message thresholds like any other, and a figure not measured with its reason', () => {
    const text = formatRunSummary(lossy);
    expect(text).toMatch(/^threshold ✓ pass {2}echo\.rtt\.p99<60s {2}\(echo\.rtt\.p99 = [\d.]+ ms\)$/m);
    expect(text).toMatch(/^threshold ✗ FAIL {2}messagesPerSecond>=10000 {2}\(messagesPerSecond = 198 msg\/s\)$/m);
    expect(text).toMatch(/^threshold ✗ FAIL {2}echo\.lossRate<0\.001 {2}\(echo\.lossRate = 1%\)$/m);
    expect(formatRunSummary(refused)).toMatch(/^threshold ✗ FAIL {2}echo\.lossRate<0\.01 {2}\(echo\.lossRate not measured: no message was sent \(every exchange failed before its first message\)\)$/m);
  });
});

describe('Markdown with messages', () => {
  it('has a Messages table with a row per message kind, after the results table', () => {
    const markdown = renderMarkdown(lossy);
    const { p50, p99 } = echoFigures(lossy);
    expect(markdown).toContain('#### Messages\n\n|  | sent | received | lost | loss | msg/s | rtt p50 ms | rtt p99 ms | rtt max ms | reordered | duplicates |\n|---|---:|');
    expect(markdown).toMatch(new RegExp(`\\| echo \\| 1000 \\| 990 \\| 10 \\| 1% \\| 198 \\| ${p50} \\| ${p99} \\| [\\d.]+ \\| 3 \\| 1 \\|`));
    expect(markdown.indexOf('#### Messages')).toBeGreaterThan(markdown.indexOf('| **total** |'));
    expect(markdown).not.toMatch(/\| get \| \d+ \| \d+ \| \d+ \| [\d.]+% \|/);
  });

  it('lists message thresholds, a figure not measured with its reason, and message rows of a comparison', () => {
    const markdown = renderMarkdown(lossy, compareReports(clean, lossy));
    expect(markdown).toContain('| ❌ | `echo.lossRate<0.001` | 1% |');
    expect(markdown).toMatch(/\| ✅ \| `echo\.rtt\.p99<60s` \| [\d.]+ ms \|/);
    expect(markdown).toMatch(/\| echo \| message loss \| 0% \| 1% \| \+1pt \| \+0\.1pt \| [<\d.]+ \| 🔴 regression \|/);
    expect(renderMarkdown(refused)).toContain('| ❌ | `echo.lossRate<0.01` | echo.lossRate not measured: no message was sent (every exchange failed before its first message) |');
  });

  it('has no Messages table for a report without messages', () => {
    expect(renderMarkdown(refused)).not.toContain('#### Messages');
  });
});

describe('JUnit with message thresholds', () => {
  it('makes each message threshold a test case, failures with their numbers or reason', () => {
    const xml = renderJunit(lossy, compareReports(clean, lossy));
    expect(xmlProblem(xml)).toBeUndefined();
    expect(xml).toContain('<testcase classname="proxybench.thresholds" name="echo.rtt.p99&lt;60s" time="0"/>');
    expect(xml).toContain('<failure type="threshold" message="messagesPerSecond = 198 msg/s, required &gt;= 10000 msg/s">');
    expect(xml).toContain('<failure type="threshold" message="echo.lossRate = 1%, required &lt; 0.1%">');
    expect(xml).toMatch(/<testcase classname="proxybench.compare" name="echo message loss" time="0">\n {6}<failure type="regression" message="echo message loss regressed: 0% → 1%/);
    const notMeasured = renderJunit(refused);
    expect(notMeasured).toContain('<failure type="threshold" message="echo.lossRate not measured: no message was sent (every exchange failed before its first message)">');
    expect(xmlProblem(notMeasured)).toBeUndefined();
  });
});
