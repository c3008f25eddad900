import { describe, expect, it } from 'vitest';
import { ReportError } from '../../core/errors.js';
import { compareReports } from '../../reports/compare/compare-reports.js';
import { mergeReports } from '../../reports/merge-reports.js';
import { parseReport } from '../../reports/read-report.js';
import type { BodyVerification, Report } from '../../reports/schema.js';
import { formatRunSummary } from '../../reports/writers/console-summary.js';
import { renderMarkdown } from '../../reports/writers/markdown.js';
import { latencySamples, syntheticReport } from '../support/synthetic-report.js';

/**
 * `byKind[kind].verification` (issue #13): how a kind's bodies were verified. Reports written
 * before it existed have none; reading, merging and comparing must take both, and the console and
 * Markdown mark the kinds of a user's own target.
 */

function shard(index: number, verification?: Record<string, BodyVerification>): Report {
  const kind = { latenciesMs: latencySamples(40, 5, 20 + index), requestsPerSecond: [21, 21], failuresPerSecond: [1, 1] };
  const report = syntheticReport({
    kinds: { file: kind, 'get-1k': kind },
    startSec: 1_700_000_000,
    shard: { index, count: 2 },
    config: { concurrency: 4, seed: 1, shard: { index, count: 2 } },
  });
  if (!verification) return report;
  const byKind = Object.fromEntries(Object.entries(report.byKind).map(([name, s]) => [name, verification[name] ? { ...s, verification: verification[name] } : s]));
  return { ...report, byKind };
}

describe('byKind verification', () => {
  it('is read back, and a value outside bytes/length/sha256 is refused naming the field', () => {
    const report = shard(0, { file: 'sha256', 'get-1k': 'bytes' });
    expect(parseReport(JSON.parse(JSON.stringify(report)), 'r.json').byKind.file?.verification).toBe('sha256');
    const bad = JSON.parse(JSON.stringify(report)) as { byKind: Record<string, { verification: string }> };
    bad.byKind.file!.verification = 'md5';
    expect(() => parseReport(bad, 'bad.json')).toThrow(ReportError);
    expect(() => parseReport(bad, 'bad.json')).toThrow(/byKind\.file\.verification/);
  });

  it('survives a merge, and reports without it merge without it', () => {
    const merged = mergeReports([shard(0, { file: 'length', 'get-1k': 'bytes' }), shard(1, { file: 'length', 'get-1k': 'bytes' })]);
    expect(merged.byKind.file?.verification).toBe('length');
    expect(merged.byKind['get-1k']?.verification).toBe('bytes');
    expect(merged.byKind.file?.requests).toBe(84);
    expect(merged.totals.verification).toBeUndefined();
    const old = mergeReports([shard(0), shard(1)]);
    expect(old.byKind.file).toBeDefined();
    expect('verification' in old.byKind.file!).toBe(false);
  });

  it('compares a report that has it with one written before it existed', () => {
    const comparison = compareReports(shard(0), shard(1, { file: 'length', 'get-1k': 'bytes' }));
    expect(comparison.metrics.some((m) => m.scope === 'file')).toBe(true);
  });

  it('marks the kinds not verified byte for byte on the console and in Markdown', () => {
    const report = shard(0, { file: 'length', 'get-1k': 'bytes' });
    const console = formatRunSummary(report);
    expect(console).toContain('file (verified: length only)');
    expect(console).not.toContain('get-1k (verified');
    expect(renderMarkdown(shard(0, { file: 'sha256' }))).toContain('| file (verified: sha256) |');
    expect(formatRunSummary(shard(0))).not.toContain('verified:');
  });
});
