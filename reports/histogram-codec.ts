import * as hdr from 'hdr-histogram-js';
import type { LatencySummary } from './schema.js';

/**
 * Histograms as the report stores them: HdrHistogram (3 significant digits, microseconds), encoded
 * with HdrHistogram's standard compressed base64, so any HdrHistogram tool can read them and
 * shards merge exactly by adding (autocannon's rule: never average percentiles).
 */

/** A latency histogram in microseconds. */
export type Histogram = hdr.Histogram;

/** 1 µs resolution, auto-resizing; 60 s is the starting range, not a cap. */
const BUILD_OPTIONS: hdr.BuildRequest = {
  bitBucketSize: 32,
  autoResize: true,
  lowestDiscernibleValue: 1,
  highestTrackableValue: 60_000_000,
  numberOfSignificantValueDigits: 3,
};

/** A new empty histogram with proxybench's settings. */
export function createHistogram(): Histogram {
  return hdr.build(BUILD_OPTIONS);
}

/** Encodes a histogram; an empty one encodes to `''` so reports stay small. */
export function encodeHistogram(histogram: Histogram): string {
  return histogram.totalCount === 0 ? '' : hdr.encodeIntoCompressedBase64(histogram);
}

/** Decodes a histogram written by {@link encodeHistogram} (or any HdrHistogram encoder). */
export function decodeHistogram(encoded: string): Histogram {
  if (encoded === '') return createHistogram();
  return hdr.decodeFromCompressedBase64(encoded, 32, false);
}

/** What {@link checkEncodedHistogram} found: the samples an encoded histogram holds, or why it cannot be read. */
export type EncodedHistogramCheck =
  | { readonly readable: true; readonly totalCount: number }
  | { readonly readable: false; readonly problem: string };

/**
 * Decodes `encoded` once to see that it is a histogram a report could hold: base64 can be valid
 * while its payload is not (a corrupt or hand-edited file), and the decoder would then throw deep
 * inside a merge or a comparison, or yield nonsense counts. Reading a report checks every histogram
 * with this, so the error names the file and the field instead.
 */
export function checkEncodedHistogram(encoded: string): EncodedHistogramCheck {
  if (encoded === '') return { readable: true, totalCount: 0 };
  let decoded: Histogram;
  try {
    decoded = hdr.decodeFromCompressedBase64(encoded, 32, false);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { readable: false, problem: `its payload is not an HdrHistogram (${why.split('\n')[0]})` };
  }
  try {
    const totalCount = decoded.totalCount;
    // '' is how an empty histogram is written, so an encoded one holds samples of at least 1 µs.
    if (!Number.isSafeInteger(totalCount) || totalCount <= 0 || !(decoded.maxValue >= 1)) {
      return { readable: false, problem: `its payload decodes to no valid samples (count ${totalCount}, max ${decoded.maxValue})` };
    }
    return { readable: true, totalCount };
  } finally {
    decoded.destroy();
  }
}

/** Adds an encoded histogram into `target` (no-op for `''`). */
export function addEncoded(target: Histogram, encoded: string): void {
  if (encoded === '') return;
  const decoded = hdr.decodeFromCompressedBase64(encoded, 32, false);
  target.add(decoded);
  decoded.destroy();
}

/** Rounds to 3 decimals (µs precision of a ms figure). */
function ms(us: number): number {
  return Math.round(us) / 1000;
}

/** Percentiles of a microsecond histogram, in milliseconds. */
export function summarize(histogram: Histogram): LatencySummary {
  if (histogram.totalCount === 0) {
    return { count: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0, mean: 0 };
  }
  return {
    count: histogram.totalCount,
    p50: ms(histogram.getValueAtPercentile(50)),
    p90: ms(histogram.getValueAtPercentile(90)),
    p95: ms(histogram.getValueAtPercentile(95)),
    p99: ms(histogram.getValueAtPercentile(99)),
    p999: ms(histogram.getValueAtPercentile(99.9)),
    // The 100th percentile, not maxValue: a decoded histogram only knows max to its bucket, so this
    // keeps a run, a merge and a re-read report in exact agreement.
    max: ms(histogram.getValueAtPercentile(100)),
    mean: ms(histogram.mean),
  };
}

/**
 * A histogram's non-empty buckets as `[value, count, value, count, …]`, each value the lowest of
 * its bucket: how a worker's delta crosses to the main thread. It is exact (the receiving histogram
 * has the same layout, so each value lands in the same bucket) and, unlike the compressed encoding,
 * allocates only this array: deflating and inflating every 100 ms batch cost ~100 µs of CPU and
 * left tens of MiB of short-lived ArrayBuffers for the garbage collector.
 */
export type BucketCounts = Float64Array;

/** Reads the non-empty buckets of `histogram` (see {@link BucketCounts}), then empties it. */
export function takeBucketCounts(histogram: Histogram): BucketCounts {
  const h = jsHistogram(histogram);
  if (h.totalCount === 0) return new Float64Array(0);
  const from = h.countsArrayIndex(h.minNonZeroValue);
  const to = h.countsArrayIndex(h.maxValue);
  let buckets = 0;
  for (let i = from; i <= to; i++) if (h.getCountAtIndex(i) !== 0) buckets++;
  const out = new Float64Array(buckets * 2);
  let o = 0;
  for (let i = from; i <= to; i++) {
    const count = h.getCountAtIndex(i);
    if (count === 0) continue;
    out[o++] = h.valueFromIndex(i);
    out[o++] = count;
  }
  h.reset();
  return out;
}

/** Adds bucket counts read by {@link takeBucketCounts} into `target`. */
export function addBucketCounts(target: Histogram, buckets: BucketCounts): void {
  for (let i = 0; i + 1 < buckets.length; i += 2) target.recordValueWithCount(buckets[i]!, buckets[i + 1]!);
}

/** Bucket access needs the JS implementation, which {@link createHistogram} always builds. */
function jsHistogram(histogram: Histogram): hdr.JsHistogram {
  if (!(histogram instanceof hdr.JsHistogram)) throw new TypeError('bucket counts need a JS (not WebAssembly) histogram');
  return histogram;
}

/** Merges encoded histograms into one encoded histogram (exact: counts add). */
export function mergeEncoded(encoded: readonly string[]): string {
  const total = createHistogram();
  for (const e of encoded) addEncoded(total, e);
  const result = encodeHistogram(total);
  total.destroy();
  return result;
}
