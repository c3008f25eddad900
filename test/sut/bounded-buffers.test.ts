import { describe, expect, it } from 'vitest';
import { BoundedSeries } from '../../harness/sut/bounded-series.js';
import { OutputTail } from '../../core/output-tail.js';

describe('BoundedSeries', () => {
  it('keeps every point while under its bound', () => {
    const series = new BoundedSeries<number>(10);
    for (let i = 0; i < 9; i++) series.push(i);
    expect(series.toArray()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it.each([
    [10, 100, [0, 16, 32, 48, 64, 80, 96]],
    [4, 9, [0, 4, 8]],
    [1000, 100_000, undefined],
  ])('thins evenly at bound %i after %i points', (max, count, expected) => {
    const series = new BoundedSeries<number>(max);
    for (let i = 0; i < count; i++) series.push(i);
    const kept = series.toArray();
    expect(kept.length).toBeLessThan(max);
    expect(kept[0]).toBe(0);
    const gaps = new Set(kept.slice(1).map((v, i) => v - (kept[i] as number)));
    expect(gaps.size).toBe(1);
    if (expected) expect(kept).toEqual(expected);
  });
});

describe('OutputTail', () => {
  it('keeps the last lines of two streams without mixing a line cut across chunks', () => {
    const tail = new OutputTail(3);
    const out = tail.sink();
    const err = tail.sink();
    out.write(Buffer.from('one\ntw'));
    err.write(Buffer.from('ERR a\r\n'));
    out.write(Buffer.from('o\nthree\nfou'));
    out.end();
    expect(tail.tail(10)).toBe('two\nthree\nfou');
    expect(tail.tail(1)).toBe('fou');
    expect(tail.tail(0)).toBe('');
  });

  it('decodes a UTF-8 character split across chunks and cuts endless lines', () => {
    const tail = new OutputTail(5, 8);
    const sink = tail.sink();
    const euro = Buffer.from('€\n');
    sink.write(euro.subarray(0, 1));
    sink.write(euro.subarray(1));
    sink.write(Buffer.from('x'.repeat(100_000)));
    sink.end();
    expect(tail.tail()).toBe(`€\n${'x'.repeat(8)}`);
  });
});
