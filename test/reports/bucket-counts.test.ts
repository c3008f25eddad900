import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { addBucketCounts, createHistogram, summarize, takeBucketCounts } from '../../reports/histogram-codec.js';

/** Heavy-tailed deterministic latencies, 1 µs … beyond the 60 s starting range (auto-resize). */
function values(): number[] {
  const out: number[] = [];
  for (let i = 0; i < 5000; i++) {
    const x = Math.sin(i * 78.233) * 43758.5453;
    out.push(Math.max(1, Math.round(Math.exp((x - Math.floor(x)) * 16))));
  }
  out.push(1, 90_000_000, 3_000_000_000); // the floor, past 60 s, past 2^31 µs
  return out;
}

describe('bucket counts: how a worker delta crosses to the main thread', () => {
  it('adds back to exactly the histogram recorded, through a real structured clone', () => {
    const recorded = createHistogram();
    const reference = createHistogram();
    for (const v of values()) {
      recorded.recordValue(v);
      reference.recordValue(v);
    }
    const buckets = takeBucketCounts(recorded);
    expect(recorded.totalCount).toBe(0);
    // Through a MessagePort, as a batch travels from a worker.
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(buckets);
    const cloned = receiveMessageOnPort(port2)?.message as Float64Array;
    port1.close();
    const merged = createHistogram();
    addBucketCounts(merged, cloned);
    expect(merged.totalCount).toBe(reference.totalCount);
    expect(summarize(merged)).toEqual(summarize(reference));
    for (const p of [0, 1, 25, 50, 75, 90, 99, 99.9, 99.99, 100]) expect(merged.getValueAtPercentile(p)).toBe(reference.getValueAtPercentile(p));
  });

  it('holds only non-empty buckets, and nothing for an empty histogram', () => {
    const h = createHistogram();
    expect(takeBucketCounts(h).length).toBe(0);
    for (let i = 0; i < 1000; i++) h.recordValue(500 + (i % 3));
    const buckets = takeBucketCounts(h);
    expect(Array.from(buckets)).toEqual([500, 334, 501, 333, 502, 333]);
  });

  it('reuses the emptied histogram for the next batch', () => {
    const h = createHistogram();
    h.recordValue(10_000);
    takeBucketCounts(h);
    h.recordValue(20);
    const target = createHistogram();
    addBucketCounts(target, takeBucketCounts(h));
    expect(target.totalCount).toBe(1);
    expect(target.getValueAtPercentile(100)).toBe(20);
  });
});
