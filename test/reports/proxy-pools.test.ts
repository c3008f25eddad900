import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.js';
import { compareReports, formatComparisonTable } from '../../reports/compare/index.js';
import { mergeReports } from '../../reports/merge-reports.js';
import { parseReport } from '../../reports/read-report.js';
import type { Report } from '../../reports/schema.js';
import { evaluateThresholds } from '../../reports/thresholds/evaluate-thresholds.js';
import { parseThreshold } from '../../reports/thresholds/parse-threshold.js';
import { renderMarkdown } from '../../reports/writers/markdown.js';
import { renderHtmlReport } from '../../reports/writers/html.js';
import { formatRunSummary } from '../../reports/writers/console-summary.js';
import { latencySamples, noisyCounts, syntheticReport } from '../support/synthetic-report.js';

// byProxy as compare, merge, thresholds and the views read it, on reports built with real
// histograms: a pool of two proxies whose figures are those of two synthetic "kinds".
const A = 'http://pb:***@10.0.0.5:3128';
const B = 'http://10.0.0.6:3128';
const SECONDS = 20;

/** A pool report: proxy A with latencies around `medianA` ms, B around `medianB`; byProxy holds their figures. */
function poolReport(options: { seed: number; medianA: number; medianB: number; proxies?: readonly string[]; shard?: { index: number; count: number }; startSec?: number; embedded?: boolean }): Report {
  const proxies = options.proxies ?? [A, B];
  const kind = (median: number, seed: number) => ({
    latenciesMs: latencySamples(2000, median, seed),
    requestsPerSecond: noisyCounts(SECONDS, 100, 0.02, seed + 1),
  });
  const built = syntheticReport({
    kinds: { a: kind(options.medianA, options.seed), b: kind(options.medianB, options.seed + 10) },
    config: { proxies, embeddedProxies: options.embedded ?? false, proxyPick: 'round-robin', seed: 1, ...(options.shard ? { shard: options.shard } : {}) },
    ...(options.shard ? { shard: options.shard } : {}),
    ...(options.startSec !== undefined ? { startSec: options.startSec } : {}),
  });
  const report = { ...built, byProxy: { [proxies[0]!]: built.byKind.a!, [proxies[1]!]: built.byKind.b! } };
  // What a reader of the file sees: the shape check passes with byProxy and proxy thresholds.
  return parseReport(JSON.parse(JSON.stringify(report)), 'pool.json');
}

describe('thresholds on one proxy of a pool', () => {
  const report = poolReport({ seed: 1, medianA: 5, medianB: 50 });

  it('reads proxy[i] by position and proxy[host:port] by address, and records the URL it read', () => {
    const results = evaluateThresholds(report, ['proxy[0].p99<30ms', 'proxy[10.0.0.6:3128].p99<30ms', 'proxy[10.0.0.5].requests>0', `proxy[${B}].successRate>=0.99`].map((t) => parseThreshold(t)));
    expect(results.map((r) => [r.proxy, r.passed])).toEqual([[A, true], [B, false], [A, true], [B, true]]);
    expect(results[1]!.value).toBe(report.byProxy![B]!.latencyMs.p99);
    expect(results[2]!.value).toBe(report.byProxy![A]!.requests);
  });

  it('refuses a position past the pool, an address no proxy has, and a host two proxies share', () => {
    const twoOnOneHost = poolReport({ seed: 2, medianA: 5, medianB: 5, proxies: ['http://10.0.0.5:3128', 'socks5://10.0.0.5:1080'] });
    expect(() => evaluateThresholds(report, [parseThreshold('proxy[2].p99<30ms')])).toThrow(/there is no proxy 2 .*\[0\] http:\/\/pb:\*\*\*@10\.0\.0\.5:3128/);
    expect(() => evaluateThresholds(report, [parseThreshold('proxy[10.0.0.9:3128].p99<30ms')])).toThrow(/no proxy is at 10\.0\.0\.9:3128/);
    expect(() => evaluateThresholds(twoOnOneHost, [parseThreshold('proxy[10.0.0.5].p99<30ms')])).toThrow(/names 2 proxies/);
    expect(evaluateThresholds(twoOnOneHost, [parseThreshold('proxy[10.0.0.5:1080].p99<30ms')])[0]!.proxy).toBe('socks5://10.0.0.5:1080');
  });

  it('refuses a whole-run metric or an unknown one after proxy[…], and a report without byProxy', () => {
    expect(() => parseThreshold('proxy[0].sut.rssPeakMiB<64')).toThrow(UsageError);
    expect(() => parseThreshold('proxy[0].p98<5ms')).toThrow(/not a metric of a proxy's figures/);
    const { byProxy: _dropped, ...old } = report;
    expect(() => evaluateThresholds(old, [parseThreshold('proxy[0].p99<30ms')])).toThrow(/no per-proxy figures/);
  });
});

describe('compare of two pool reports', () => {
  it('compares each proxy present in both, and calls the proxy that slowed down a regression', () => {
    const before = poolReport({ seed: 3, medianA: 5, medianB: 5 });
    const after = poolReport({ seed: 4, medianA: 5, medianB: 15 });
    const comparison = compareReports(before, after);
    const p99 = (scope: string) => comparison.metrics.find((m) => m.scope === scope && m.metric === 'p99')!;
    expect(p99(`proxy[${A}]`).verdict).toBe('no change');
    expect(p99(`proxy[${B}]`).verdict).toBe('regression');
    expect(p99(`proxy[${B}]`).before).toBe(before.byProxy![B]!.latencyMs.p99);
    expect(formatComparisonTable(comparison)).toContain(`proxy[${B}]`);
  });

  it('notes a proxy in one report only, and compares no proxy of an embedded run', () => {
    const before = poolReport({ seed: 3, medianA: 5, medianB: 5 });
    const other = poolReport({ seed: 4, medianA: 5, medianB: 5, proxies: [A, 'http://10.0.0.7:3128'] });
    const comparison = compareReports(before, other);
    expect(comparison.metrics.some((m) => m.scope === `proxy[${B}]`)).toBe(false);
    expect(comparison.metrics.some((m) => m.scope === `proxy[${A}]`)).toBe(true);
    expect(comparison.notes).toContain(`proxies only in the baseline, not compared: ${B}`);
    expect(comparison.notes).toContain('proxies only in the current report, not compared: http://10.0.0.7:3128');
    const embedded = compareReports(poolReport({ seed: 3, medianA: 5, medianB: 5, embedded: true }), poolReport({ seed: 4, medianA: 5, medianB: 5, embedded: true }));
    expect(embedded.metrics.filter((m) => m.scope.startsWith('proxy['))).toEqual([]);
  });
});

describe('merge of pool shards', () => {
  it('adds byProxy entry by entry, so each proxy has both shards\u2019 requests and the entries sum to the total', () => {
    const shards = [0, 1].map((index) => poolReport({ seed: 5 + index * 7, medianA: 4, medianB: 9, shard: { index, count: 2 } }));
    const merged = mergeReports(shards);
    for (const url of [A, B]) {
      expect(merged.byProxy![url]!.requests).toBe(shards[0]!.byProxy![url]!.requests + shards[1]!.byProxy![url]!.requests);
      expect(merged.byProxy![url]!.latencyMs.count).toBe(shards[0]!.byProxy![url]!.latencyMs.count + shards[1]!.byProxy![url]!.latencyMs.count);
    }
    expect(merged.byProxy![A]!.requests + merged.byProxy![B]!.requests).toBe(merged.totals.requests);
  });

  it('matches embedded proxies by position (each shard had its own ports), named as the first shard names them', () => {
    const ports = [['http://127.0.0.1:40001', 'socks5://127.0.0.1:40002'], ['http://127.0.0.1:41001', 'socks5://127.0.0.1:41002']];
    const shards = [0, 1].map((index) => poolReport({ seed: 20 + index, medianA: 4, medianB: 9, shard: { index, count: 2 }, proxies: ports[index]!, embedded: true }));
    const merged = mergeReports(shards);
    expect(Object.keys(merged.byProxy!)).toEqual(ports[0]);
    expect(merged.byProxy!['socks5://127.0.0.1:40002']!.requests).toBe(shards[0]!.byKind.b!.requests + shards[1]!.byKind.b!.requests);
  });

  it('leaves byProxy out when a shard lacks it (its entries would not add up to the total)', () => {
    const [first, second] = [0, 1].map((index) => poolReport({ seed: 30 + index, medianA: 4, medianB: 9, shard: { index, count: 2 } }));
    const { byProxy: _dropped, ...old } = second!;
    expect(mergeReports([first!, old]).byProxy).toBeUndefined();
  });
});

describe('the views of a pool report', () => {
  const report = poolReport({ seed: 40, medianA: 5, medianB: 6 });

  it('give one console and Markdown row per proxy, and an HTML by-proxy table', () => {
    const consoleText = formatRunSummary(report);
    expect(consoleText).toContain(`proxy ${A}`);
    expect(consoleText).toContain(`proxy ${B}`);
    const markdown = renderMarkdown(report);
    expect(markdown).toContain('proxy http://pb:\\*\\*\\*@10.0.0.5:3128');
    const html = renderHtmlReport(report);
    expect(html).toContain('<h3>By proxy</h3>');
    expect(html).toContain('http://pb:***@10.0.0.5:3128');
  });

  it('give no per-proxy rows in the console and Markdown for a single proxy', () => {
    const single = { ...report, byProxy: { [A]: report.totals } };
    expect(formatRunSummary(single)).not.toContain(`proxy ${A}`);
    expect(renderMarkdown(single)).not.toContain('proxy http');
  });
});
