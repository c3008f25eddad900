import { describe, expect, it } from 'vitest';
import { addEncoded, createHistogram, decodeHistogram, summarize } from '../../reports/histogram-codec.js';
import { mergeReports } from '../../reports/merge-reports.js';
import type { Report, Stats } from '../../reports/schema.js';
import { echoReport } from '../support/echo-report.js';

const START_SEC = 1_700_000_000;

/** Shard `index` of 2: its own RTTs and losses, starting `index` seconds late. */
function shard(index: number, thresholds: readonly string[] = []): Report {
  return echoReport({
    thresholds,
    seed: 10 + index,
    rttMedianMs: 2 + 3 * index,
    lostPerSecond: index === 0 ? [1, 0, 2, 0, 0] : [0, 3, 0, 0, 4],
    reordered: index,
    duplicates: 2 * index,
    startSec: START_SEC + index,
    shard: { index, count: 2 },
  });
}

/** One histogram of both shards' RTT samples, summarised as a run would. */
function summaryOfBoth(blocks: readonly Stats[]): ReturnType<typeof summarize> {
  const histogram = createHistogram();
  for (const block of blocks) addEncoded(histogram, block.phaseHistograms.rtt ?? '');
  const summary = summarize(histogram);
  histogram.destroy();
  return summary;
}

/** The block as a report written before message figures existed has it. */
function withoutMessages(stats: Stats): Stats {
  const { messages: _m, messagesPerSecond: _r, lossRate: _l, rttMs: _t, ...rest } = stats;
  const { rtt: _h, ...histograms } = stats.phaseHistograms;
  return { ...rest, phaseHistograms: histograms };
}

describe('merging reports with message figures', () => {
  const shards = [shard(0), shard(1)];
  const merged = mergeReports(shards);

  it('adds the shards\' message counters, per kind and in total', () => {
    const [a, b] = shards.map((s) => s.byKind.echo?.messages);
    expect(a).toEqual({ sent: 1000, received: 997, lost: 3, reordered: 0, duplicates: 0 });
    expect(b).toEqual({ sent: 1000, received: 993, lost: 7, reordered: 1, duplicates: 2 });
    expect(merged.byKind.echo?.messages).toEqual({ sent: 2000, received: 1990, lost: 10, reordered: 1, duplicates: 2 });
    expect(merged.totals.messages).toEqual(merged.byKind.echo?.messages);
    expect(merged.byKind.echo?.lossRate).toBe(0.005);
    // 1990 verified echoes over the 6 s from the first shard's start to the last one's end.
    expect(merged.durationMs).toBe(6000);
    expect(merged.byKind.echo?.messagesPerSecond).toBe(331.67);
  });

  it('merges the rtt histograms exactly: the summary of one histogram of every shard\'s samples', () => {
    const echo = merged.byKind.echo;
    expect(echo?.rttMs).toEqual(summaryOfBoth(shards.map((s) => s.byKind.echo!)));
    expect(echo?.rttMs?.count).toBe(1990);
    const decoded = decodeHistogram(echo?.phaseHistograms.rtt ?? '');
    expect(decoded.totalCount).toBe(1990);
    decoded.destroy();
    // Two shards with different RTTs: the merged median lies between theirs.
    const [p50a, p50b] = shards.map((s) => s.byKind.echo?.rttMs?.p50 ?? 0);
    expect(echo?.rttMs?.p50).toBeGreaterThan(p50a ?? 0);
    expect(echo?.rttMs?.p50).toBeLessThan(p50b ?? 0);
  });

  it('keeps the HTTP kind without message figures', () => {
    expect(merged.byKind.get?.messages).toBeUndefined();
    expect(merged.byKind.get?.phaseHistograms.rtt).toBeUndefined();
    expect(Object.keys(merged.byKind.get ?? {})).toEqual(Object.keys(shards[0]!.byKind.get ?? {}));
  });

  it('merges a shard with message figures and one written before they existed', () => {
    const [withFigures, other] = shards;
    const old: Report = {
      ...other!,
      totals: withoutMessages(other!.totals),
      byKind: Object.fromEntries(Object.entries(other!.byKind).map(([k, s]) => [k, withoutMessages(s)])),
    };
    const mixed = mergeReports([withFigures!, old]);
    expect(mixed.byKind.echo?.messages).toEqual(withFigures!.byKind.echo?.messages);
    expect(mixed.byKind.echo?.rttMs).toEqual(withFigures!.byKind.echo?.rttMs);
    expect(mixed.byKind.echo?.requests).toBe((withFigures!.byKind.echo?.requests ?? 0) + (old.byKind.echo?.requests ?? 0));
    // Two old shards: still no message figures, not zeros.
    const oldOnly = mergeReports([{ ...withFigures!, totals: withoutMessages(withFigures!.totals), byKind: { get: withFigures!.byKind.get! } }, old]);
    expect(oldOnly.totals.messages).toBeUndefined();
    expect(oldOnly.totals.lossRate).toBeUndefined();
  });

  it('evaluates message thresholds again on the merged figures', () => {
    // Each shard passes its own loss gate (0.3 %) or not (0.7 %); the whole run's loss is 0.5 %.
    const gated = [0, 1].map((index) => shard(index, ['echo.lossRate<0.004', 'messages.sent>=2000']));
    expect(gated.map((s) => s.thresholds[0]?.passed)).toEqual([true, false]);
    const results = mergeReports(gated).thresholds;
    expect(results.map((t) => [t.expression, t.value, t.passed])).toEqual([
      ['echo.lossRate<0.004', 0.005, false],
      ['messages.sent>=2000', 2000, true],
    ]);
  });
});
