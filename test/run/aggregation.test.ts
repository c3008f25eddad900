import { describe, expect, it } from 'vitest';
import { createHistogram, decodeHistogram, summarize } from '../../reports/histogram-codec.js';
import { Aggregator } from '../../harness/recorder/aggregator.js';
import type { BatchMessage } from '../../harness/recorder/batch.js';
import { Recorder } from '../../harness/recorder/recorder.js';
import type { RequestOutcome } from '../../core/request.js';
import type { ErrorCause } from '../../core/error-cause.js';
import { buildStats } from '../../reports/stats.js';

function outcome(totalUs: number, ok: boolean, cause?: ErrorCause, originUs = -1): RequestOutcome {
  return {
    ok, ...(cause ? { cause } : {}), statusCode: ok ? 200 : 0, ttfbUs: ok ? totalUs / 2 : -1, totalUs,
    bytesIn: ok ? 1024 : 0, bytesOut: 0, connection: 'reused', connectUs: -1, proxyHandshakeUs: -1, tlsUs: -1, staleRetried: false,
    originUs,
  };
}

/** A deterministic pseudo-random latency spread over 50 µs … ~200 ms, heavy-tailed like real ones. */
function latencyUs(i: number): number {
  const x = Math.sin(i * 12.9898) * 43758.5453;
  const u = x - Math.floor(x);
  return Math.round(50 + Math.exp(u * 12));
}

describe('per-worker recording merged in batches', () => {
  it('gives exactly the histogram of all values, and counters that add up', () => {
    const workers = 3;
    const kinds = ['a', 'b'];
    const recorders = Array.from({ length: workers }, () => new Recorder(kinds.length, true));
    const aggregator = new Aggregator(kinds, workers);
    const reference = createHistogram();
    let second = 1_700_000_000;
    let expectedFailures = 0;
    for (let i = 0; i < 30_000; i++) {
      const worker = i % workers;
      const kind = i % 7 === 0 ? 1 : 0;
      const fails = i % 97 === 0;
      const us = latencyUs(i);
      recorders[worker]!.record(kind, outcome(us, !fails, fails ? 'reset' : undefined), us);
      if (fails) expectedFailures++;
      else if (kind === 0) reference.recordValue(us);
      // Cut batches at irregular points, as timers and sample counts would.
      if (i % 1000 === 999) {
        for (let w = 0; w < workers; w++) {
          const batch: BatchMessage = { type: 'batch', workerIndex: w, second, deltas: recorders[w]!.drain(), inFlight: 0 };
          aggregator.addBatch(batch);
        }
        if (i % 5000 === 4999) second++;
      }
    }
    for (let w = 0; w < workers; w++) aggregator.workerDone(w);
    const a = aggregator.kinds().get('a')!;
    const merged = a.histograms.latency;
    expect(merged.totalCount).toBe(reference.totalCount);
    for (const p of [50, 90, 99, 99.9, 100]) expect(merged.getValueAtPercentile(p)).toBe(reference.getValueAtPercentile(p));
    expect(summarize(merged)).toEqual(summarize(reference));
    // Closed model: service time is the same measurement, sent once and added twice.
    expect(a.histograms.serviceTime.totalCount).toBe(reference.totalCount);
    const b = aggregator.kinds().get('b')!;
    expect(a.counters.requests + b.counters.requests).toBe(30_000);
    expect(a.counters.failures + b.counters.failures).toBe(expectedFailures);
    expect((a.counters.errors.reset ?? 0) + (b.counters.errors.reset ?? 0)).toBe(expectedFailures);
  });

  it('keeps latency minus the origin service time of each stamped success, merged exactly', () => {
    const workers = 2;
    // Open model: latency runs from the intended start, so it is not the transport's total time.
    const recorders = Array.from({ length: workers }, () => new Recorder(1, false));
    const aggregator = new Aggregator(['k'], workers);
    const reference = createHistogram();
    const drainAll = (second: number): void => {
      for (let w = 0; w < workers; w++) aggregator.addBatch({ type: 'batch', workerIndex: w, second, deltas: recorders[w]!.drain(), inFlight: 0 });
    };
    for (let i = 0; i < 10_000; i++) {
      const totalUs = latencyUs(i);
      const latency = totalUs + (i % 5 === 0 ? 300 : 0);
      // Every 10th response came without the stamp; every 997th claims more than we measured.
      const originUs = i % 10 === 3 ? -1 : i % 997 === 0 ? latency + 50 : Math.floor(totalUs * ((i % 7) / 8));
      // An integrity failure still had a 2xx and its stamp: it must not count.
      const fails = i % 101 === 0;
      recorders[i % workers]!.record(0, outcome(totalUs, !fails, fails ? 'integrity' : undefined, originUs), latency);
      if (!fails && originUs >= 0) reference.recordValue(Math.max(1, Math.round(latency - originUs)));
      if (i % 700 === 699) drainAll(1_700_000_000 + Math.floor(i / 5000));
    }
    drainAll(1_700_000_002);
    for (let w = 0; w < workers; w++) aggregator.workerDone(w);
    const k = aggregator.kinds().get('k')!;
    const minusOrigin = k.histograms.latencyMinusOrigin;
    expect(minusOrigin.totalCount).toBe(reference.totalCount);
    expect(minusOrigin.totalCount).toBeLessThan(k.counters.successes);
    expect(summarize(minusOrigin)).toEqual(summarize(reference));
    // A stated origin time above the measured latency is floored at 1 µs, not dropped.
    expect(minusOrigin.minNonZeroValue).toBe(1);
    expect(buildStats(k.counters, k.histograms, 2000).latencyMinusOriginMs).toEqual(summarize(reference));
  });

  it('builds a per-second series whose sums equal the totals', () => {
    const recorder = new Recorder(1, true);
    const aggregator = new Aggregator(['only'], 1);
    const all = createHistogram();
    for (let s = 0; s < 5; s++) {
      for (let i = 0; i < 200 * (s + 1); i++) {
        const us = latencyUs(s * 10_000 + i);
        recorder.record(0, outcome(us, true), us);
        all.recordValue(us);
      }
      aggregator.addBatch({ type: 'batch', workerIndex: 0, second: 100 + s, deltas: recorder.drain(), inFlight: s });
    }
    aggregator.workerDone(0);
    const series = aggregator.finishSeries();
    expect(series.map((p) => p.t)).toEqual([100, 101, 102, 103, 104]);
    expect(series.map((p) => p.totals.requests)).toEqual([200, 400, 600, 800, 1000]);
    expect(series.reduce((n, p) => n + p.totals.requests, 0)).toBe(aggregator.kinds().get('only')!.counters.requests);
    expect(series.map((p) => p.totals.inFlight)).toEqual([0, 1, 2, 3, 4]);
    // Per-second histograms add back up to the whole run's histogram, exactly.
    const summed = createHistogram();
    for (const p of series) summed.add(decodeHistogram(p.totals.histogram));
    expect(summed.totalCount).toBe(all.totalCount);
    expect(summed.getValueAtPercentile(99)).toBe(all.getValueAtPercentile(99));
  });

  it('keeps a second open until every worker has moved past it', () => {
    const recorders = [new Recorder(1, true), new Recorder(1, true)];
    const aggregator = new Aggregator(['k'], 2);
    recorders[0]!.record(0, outcome(100, true), 100);
    aggregator.addBatch({ type: 'batch', workerIndex: 0, second: 10, deltas: recorders[0]!.drain(), inFlight: 0 });
    recorders[0]!.record(0, outcome(100, true), 100);
    aggregator.addBatch({ type: 'batch', workerIndex: 0, second: 11, deltas: recorders[0]!.drain(), inFlight: 0 });
    expect(aggregator.snapshot().lastSecondRps).toBe(0);
    recorders[1]!.record(0, outcome(100, true), 100);
    aggregator.addBatch({ type: 'batch', workerIndex: 1, second: 10, deltas: recorders[1]!.drain(), inFlight: 0 });
    aggregator.addBatch({ type: 'batch', workerIndex: 1, second: 11, deltas: [], inFlight: 0 });
    // Second 10 closed with both workers' samples.
    expect(aggregator.snapshot().lastSecondRps).toBe(2);
  });
});
