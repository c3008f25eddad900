import { describe, expect, it } from 'vitest';
import { ReportError } from '../../core/errors.js';
import { createHistogram, decodeHistogram, encodeHistogram, summarize } from '../../reports/histogram-codec.js';
import { mergeReports } from '../../reports/merge-reports.js';
import type { Report } from '../../reports/schema.js';
import { latencySamples, syntheticReport } from '../support/synthetic-report.js';

const START_SEC = 1_700_000_000;
const SECONDS = 4;

/** Latencies of each shard: different medians and spreads, so a wrong merge shows in the tails. */
const SAMPLES = [latencySamples(400, 5, 11), latencySamples(300, 8, 12), latencySamples(500, 3, 13, 0.8)];
const CAUSES = ['timeout', 'reset', 'timeout'] as const;

/** The origin's stated service time of each sample: a share of its latency that differs per shard. */
function originMsOf(index: number): number[] {
  return (SAMPLES[index] ?? []).map((ms, i) => ms * (((i + index) % 5) / 6));
}

/** Shard `index` of 3: its samples over 4 s, one failure a second, starting `index` seconds late. */
function shard(
  index: number,
  overrides: { scenario?: string; config?: Record<string, unknown>; thresholds?: string[]; aligned?: boolean; stamped?: boolean } = {},
): Report {
  const samples = SAMPLES[index] ?? [];
  const perSecond = samples.length / SECONDS;
  return syntheticReport({
    kinds: {
      get: {
        latenciesMs: samples,
        requestsPerSecond: Array.from({ length: SECONDS }, () => perSecond + 1),
        failuresPerSecond: Array.from({ length: SECONDS }, () => 1),
        failureCause: CAUSES[index] ?? 'timeout',
        ...(overrides.stamped ? { originMs: originMsOf(index) } : {}),
      },
    },
    startSec: START_SEC + (overrides.aligned ? 0 : index),
    shard: { index, count: 3 },
    config: { concurrency: 30, seed: 1, shard: { index, count: 3 }, ...overrides.config },
    sut: { rssPeakMiB: 40 + index, cpuPercentSamples: Array.from({ length: 4 + index }, () => 20), pid: 777, cpuMsPer1kRequests: 30 },
    ...(overrides.scenario ? { scenario: overrides.scenario } : {}),
    ...(overrides.thresholds ? { thresholds: overrides.thresholds } : {}),
  });
}

/** One histogram of every sample of every shard, recorded as the builder records them. */
function allSamplesSummary(): ReturnType<typeof summarize> {
  const h = createHistogram();
  for (const ms of SAMPLES.flat()) h.recordValue(Math.max(1, Math.round(ms * 1000)));
  const summary = summarize(h);
  h.destroy();
  return summary;
}

describe('mergeReports', () => {
  const shards = [shard(0), shard(1), shard(2)];
  const merged = mergeReports(shards);

  it('gives the percentiles of one histogram of all samples, in total and per kind', () => {
    expect(merged.totals.latencyMs).toEqual(allSamplesSummary());
    expect(merged.byKind.get?.latencyMs).toEqual(allSamplesSummary());
    expect(merged.totals.latencyMs.count).toBe(1200);
  });

  it('sums counters and errors by cause', () => {
    expect(merged.totals.requests).toBe(1200 + 12);
    expect(merged.totals.failures).toBe(12);
    expect(merged.totals.errors).toEqual({ timeout: 8, reset: 4 });
    expect(merged.totals.bytesIn).toBe(1200 * 1024);
  });

  it('computes rates over the span from the first start to the last end', () => {
    // Shards start 0, 1 and 2 s late and run 4 s each: 6 s of wall-clock time.
    expect(merged.durationMs).toBe(6000);
    expect(merged.startedAt).toBe(new Date(START_SEC * 1000).toISOString());
    expect(merged.totals.rps).toBeCloseTo(1212 / 6, 2);
  });

  it('aligns the series on wall-clock seconds and adds each second', () => {
    expect(merged.series.map((p) => p.t - START_SEC)).toEqual([0, 1, 2, 3, 4, 5]);
    const perShardSecond = SAMPLES.map((s) => s.length / SECONDS + 1);
    const expected = [0, 1, 2, 3, 4, 5].map((second) =>
      perShardSecond.reduce((sum, n, i) => sum + (second >= i && second < i + SECONDS ? n : 0), 0),
    );
    expect(merged.series.map((p) => p.totals.requests)).toEqual(expected);
    const third = merged.series[2];
    const histogram = decodeHistogram(third?.totals.histogram ?? '');
    expect(histogram.totalCount).toBe(expected[2]! - 3);
    expect(third?.totals.p99).toBe(summarize(histogram).p99);
    histogram.destroy();
    expect(third?.byKind.get?.requests).toBe(expected[2]);
  });

  it('lists every shard and adds concurrency and workers', () => {
    expect(merged.shards).toEqual([{ index: 0, count: 3 }, { index: 1, count: 3 }, { index: 2, count: 3 }]);
    expect(merged.load).toMatchObject({ model: 'closed', concurrency: 30, achievedRps: merged.totals.rps });
    expect(merged.harness.workers).toBe(3);
  });

  it('re-bases the CPU per 1000 requests of a SUT all shards sampled on all requests', () => {
    // Shard 2 has the most samples; its 30 ms per 1k covered its own 504 requests of the 1212.
    expect(merged.sut?.cpuMsPer1kRequests).toBeCloseTo((30 * 504) / 1212, 3);
    expect(merged.sut?.samples).toHaveLength(6);
  });

  it('evaluates thresholds again on the merged figures', () => {
    const gated = [0, 1, 2].map((i) => shard(i, { thresholds: ['requests>=1000'] }));
    expect(gated.every((r) => r.thresholds[0]?.passed === false)).toBe(true);
    expect(mergeReports(gated).thresholds).toEqual([
      { expression: 'requests>=1000', metric: 'requests', op: '>=', limit: 1000, value: 1212, passed: true },
    ]);
  });

  it('warns when shards are missing', () => {
    const partial = mergeReports([shard(0), shard(2)]);
    expect(partial.warnings).toContainEqual({ code: 'partial', message: 'merged 2 of 3 shards: the figures cover part of the load only' });
  });

  it.each([
    ['different scenarios', () => [shard(0), shard(1, { scenario: 'other' })], "different scenarios: report 1 is 'synthetic', report 2 (shard 2/3) is 'other'"],
    ['different configs', () => [shard(0), shard(1, { config: { concurrency: 60 } })], 'config.concurrency is 30 in report 1 and 60 in report 2 (shard 2/3)'],
    ['the same report twice', () => [shard(0), shard(1), shard(1)], 'cannot merge a report with itself: report 2 and report 3 are the same report'],
    ['the same shard twice', () => [shard(0), shard(1), shard(1, { aligned: true })], 'shard 2/3 is given twice (report 2 and report 3)'],
    ['shard counts that disagree', () => [shard(0), { ...shard(1), shards: [{ index: 1, count: 4 }] }], 'runs split differently: report 1 is one of 3 shards, report 2 one of 4'],
    ['an unsharded report', () => [shard(0), { ...shard(1), shards: undefined }], 'cannot merge report 2: it is not a shard'],
    ['shards of different runs', () => [{ ...shard(0), runId: 'aaaa' }, { ...shard(1), runId: 'bbbb' }], 'cannot merge shards of different runs: report 1 has runId aaaa, report 2 (shard 2/3) has bbbb'],
    ['nothing', () => [], 'nothing to merge'],
  ])('refuses %s', (_name, reports, message) => {
    expect(() => mergeReports(reports())).toThrow(ReportError);
    expect(() => mergeReports(reports())).toThrow(message);
  });

  it('merges direct baselines exactly and derives the overhead from the merged figures', () => {
    // Each shard's direct baseline is its proxied figures: the merged overhead must be nil.
    const withDirect = [0, 1, 2].map((i) => {
      const r = shard(i, { aligned: true });
      return { ...r, directBaseline: { byKind: r.byKind, overheadByKind: {} } };
    });
    const direct = mergeReports(withDirect).directBaseline;
    expect(direct?.byKind.get?.latencyMs).toEqual(allSamplesSummary());
    const nil = { p50: 0, p90: 0, p99: 0 };
    expect(direct?.overheadByKind.get).toEqual({ latencyAddedMs: nil, basis: 'latency', latencyAddedGrossMs: nil, throughputRatio: 1 });
  });

  it('adds the latency-minus-origin histograms exactly and derives the overhead basis from the merged figures', () => {
    const stamped = [0, 1, 2].map((i) => {
      const r = shard(i, { aligned: true, stamped: true });
      return { ...r, directBaseline: { byKind: r.byKind, overheadByKind: {} } };
    });
    const reference = createHistogram();
    SAMPLES.forEach((samples, index) => {
      const originMs = originMsOf(index);
      samples.forEach((ms, i) => reference.recordValue(Math.max(1, Math.round(ms * 1000) - Math.round((originMs[i] ?? 0) * 1000))));
    });
    const mergedStamped = mergeReports(stamped);
    expect(mergedStamped.byKind.get?.latencyMinusOriginMs).toEqual(summarize(reference));
    expect(mergedStamped.totals.latencyMinusOriginMs?.count).toBe(1200);
    reference.destroy();
    const nil = { p50: 0, p90: 0, p99: 0 };
    expect(mergedStamped.directBaseline?.overheadByKind.get).toEqual({ latencyAddedMs: nil, basis: 'minus-origin', latencyAddedGrossMs: nil, throughputRatio: 1 });
  });

  it('merges shards written before latencyMinusOriginMs existed with those written after', () => {
    const old = shard(0, { stamped: true });
    const { latencyMinusOriginMs: _summary, ...oldGet } = old.byKind.get!;
    const { latencyMinusOrigin: _histogram, ...oldHistograms } = oldGet.phaseHistograms;
    const before = { ...old, byKind: { get: { ...oldGet, phaseHistograms: oldHistograms } } };
    const merged = mergeReports([before, shard(1, { stamped: true })]);
    expect(merged.byKind.get?.latencyMinusOriginMs).toEqual(shard(1, { stamped: true }).byKind.get?.latencyMinusOriginMs);
  });

  it('merges a single report into the same figures', () => {
    const one = shard(1);
    const again = mergeReports([one]);
    expect(again.totals).toEqual(one.totals);
    expect(again.series).toEqual(one.series);
  });
});

describe('merging hold runs', () => {
  /** A held block of `established` connections with the proxy's RSS before and while held. */
  function held(established: number, baselineMiB: number, heldMiB: number, connectUs: readonly number[]): NonNullable<Report['held']> {
    const connect = createHistogram();
    for (const us of connectUs) connect.recordValue(us);
    const encoded = { connect: encodeHistogram(connect), proxyHandshake: '', tls: '' };
    const empty = summarize(createHistogram());
    return {
      target: established + 1, protocol: 'connect', origin: 'http', established, failed: 1, closedEarly: 0, errors: { proxy_refused: 1 },
      phasesMs: { connect: summarize(connect), proxyHandshake: empty, tls: empty }, phaseHistograms: encoded,
      openingMs: 100 + established, holdMs: 1000 - established, sutRssBaselineMiB: baselineMiB, sutRssHeldMiB: heldMiB,
      sutRssPerThousandMiB: ((heldMiB - baselineMiB) / established) * 1000,
    };
  }

  it('takes one proxy process\u2019s lowest baseline and highest held sample when every shard sampled it', () => {
    // Both shards attached to pid 777 (shard() gives every shard that SUT).
    const a = { ...shard(0, { aligned: true }), held: held(100, 50, 60, [100, 200]) };
    const b = { ...shard(1, { aligned: true }), held: held(300, 55, 70, [300]) };
    const merged = mergeReports([a, b]).held!;
    expect(merged).toMatchObject({ target: 402, established: 400, failed: 2, errors: { proxy_refused: 2 }, openingMs: 400, holdMs: 700 });
    expect(merged.sutRssBaselineMiB).toBe(50);
    expect(merged.sutRssHeldMiB).toBe(70);
    expect(merged.sutRssPerThousandMiB).toBe(50);
    expect(merged.phasesMs.connect.count).toBe(3);
    expect(decodeHistogram(merged.phaseHistograms.connect).totalCount).toBe(3);
  });

  it('refuses to merge a hold run with a report that held nothing', () => {
    const a = { ...shard(0, { aligned: true }), held: held(100, 50, 60, [100]) };
    expect(() => mergeReports([a, shard(1, { aligned: true })])).toThrow(ReportError);
  });
});

describe('merging the load of shards', () => {
  /** Shard `index` of 2 of an open-model run at 300 req/s with 10,000 in flight and 101 requests. */
  function openShard(index: number): Report {
    const base = shard(index, { aligned: true });
    const requests = index === 0 ? 51 : 50;
    const load: Report['load'] = {
      model: 'open', offeredRps: 150, achievedRps: 150, maxInFlight: 5000, scheduleKept: true, requests,
      shareOf: { shardCount: 2, offeredRps: 300, maxInFlight: 10_000, requests: 101 },
    };
    return { ...base, shards: [{ index, count: 2 }], config: { ...base.config, shard: { index, count: 2 } }, load };
  }

  it('gives the whole run\u2019s offered rate and limits when every shard is merged', () => {
    const merged = mergeReports([openShard(0), openShard(1)]);
    expect(merged.load).toEqual({ model: 'open', offeredRps: 300, achievedRps: merged.totals.rps, maxInFlight: 10_000, scheduleKept: true, requests: 101 });
    expect(merged.merged).toEqual({ mode: 'shards', reports: 2 });
  });

  it('adds the shares and keeps what they are a share of when a shard is missing', () => {
    const merged = mergeReports([openShard(1)]);
    expect(merged.load).toMatchObject({ offeredRps: 150, maxInFlight: 5000, requests: 50, shareOf: { shardCount: 2, offeredRps: 300 } });
  });
});

describe('merge --sequential', () => {
  /** A whole run (no shard) of 4 s starting at second `startOffset`. */
  function wholeRun(seed: number, startOffset: number): Report {
    return syntheticReport({
      kinds: { get: { latenciesMs: latencySamples(200, 5, seed), requestsPerSecond: [50, 50, 50, 50], failuresPerSecond: [1, 0, 0, 1] } },
      startSec: START_SEC + startOffset,
    });
  }
  const a = wholeRun(21, 0);
  const b = wholeRun(22, 10);

  it('adds counts and histograms, adds durations and computes rates over their sum', () => {
    const merged = mergeReports([b, a], { mode: 'sequential' });
    expect(merged.durationMs).toBe(8000);
    expect(merged.totals.requests).toBe(400);
    expect(merged.totals.failures).toBe(4);
    expect(merged.totals.rps).toBe(50);
    expect(merged.totals.latencyMs.count).toBe(a.totals.latencyMs.count + b.totals.latencyMs.count);
    expect(merged.startedAt).toBe(a.startedAt);
    expect(merged.series.map((p) => p.t - START_SEC)).toEqual([0, 1, 2, 3, 10, 11, 12, 13]);
    expect(merged.merged).toEqual({
      mode: 'sequential', reports: 2,
      runs: [{ startedAt: a.startedAt, durationMs: 4000, requests: 200 }, { startedAt: b.startedAt, durationMs: 4000, requests: 200 }],
    });
    expect(merged.shards).toBeUndefined();
    expect(merged.load).toEqual({ model: 'closed', concurrency: 10, achievedRps: 50 });
  });

  it.each([
    ['the same report twice', () => [a, a], 'cannot merge a report with itself: report 1 and report 2 are the same report'],
    ['runs measured at the same time', () => [a, wholeRun(23, 2)], 'cannot add report 1 and report 2 back to back: they were measured at the same time'],
    ['a lone shard of a run', () => [a, { ...wholeRun(24, 20), shards: [{ index: 1, count: 3 }] }], 'cannot add report 2 (shard 2/3) as a whole run: it holds 1 of 3 shards'],
  ])('refuses %s', (_name, reports, message) => {
    expect(() => mergeReports(reports(), { mode: 'sequential' })).toThrow(message);
  });
});
