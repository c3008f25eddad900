import * as hdr from 'hdr-histogram-js';
import { decodeHistogram, type Histogram } from '../histogram-codec.js';

/**
 * An encoded latency histogram as the significance tests read it: its non-empty buckets in
 * ascending order, one entry per bucket and never per sample, so a test's memory follows the
 * histogram's resolution (a few thousand buckets at most), not the number of requests.
 */

/** Non-empty buckets in ascending value order: `values[i]` (µs, the bucket's highest equivalent value) was seen `counts[i]` times. */
export interface Buckets {
  readonly values: readonly number[];
  readonly counts: readonly number[];
  /** Samples in all buckets. */
  readonly total: number;
}

/** Reads the non-empty buckets of a decoded histogram (a JS HdrHistogram, as decodeHistogram builds). */
export function bucketsOf(histogram: Histogram): Buckets {
  // decodeHistogram/createHistogram build plain-JS histograms; only those expose the iterator.
  if (!(histogram instanceof hdr.JsHistogram)) throw new TypeError('bucket iteration needs a JS HdrHistogram');
  const values: number[] = [];
  const counts: number[] = [];
  let total = 0;
  const iterator = histogram.recordedValuesIterator;
  iterator.reset();
  while (iterator.hasNext()) {
    const step = iterator.next();
    values.push(step.valueIteratedTo);
    counts.push(step.countAtValueIteratedTo);
    total += step.countAtValueIteratedTo;
  }
  return { values, counts, total };
}

/** Decodes an encoded histogram (`''` is empty) and reads its buckets. */
export function decodeBuckets(encoded: string): Buckets {
  const histogram = decodeHistogram(encoded);
  try {
    return bucketsOf(histogram);
  } finally {
    histogram.destroy();
  }
}
