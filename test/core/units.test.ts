import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDurationMs, formatSizeBytes, parseDurationMs, parseSizeBytes } from '../../core/units.js';
import { UsageError } from '../../core/errors.js';

describe('durations and sizes as users write them', () => {
  it.each([
    ['500ms', 500], ['10s', 10_000], ['2m', 120_000], ['1h', 3_600_000], ['10', 10_000], ['1.5s', 1500], [' 3s ', 3000],
  ])('duration %s is %d ms', (input, ms) => expect(parseDurationMs('--duration', input)).toBe(ms));

  it.each([['1KiB', 1024], ['64KiB', 65_536], ['1MiB', 1_048_576], ['512', 512], ['1kb', 1000]])('size %s is %d bytes', (input, bytes) =>
    expect(parseSizeBytes('size', input)).toBe(bytes));

  it.each(['', 'fast', '10x', '-1s', '1..2s'])('rejects duration %j naming the flag', (input) => {
    expect(() => parseDurationMs('--duration', input)).toThrow(/--duration: expects a duration such as 500ms, 10s or 2m/);
  });

  it('round-trips formatted durations and sizes (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000_000 }), (ms) => {
      expect(parseDurationMs('d', formatDurationMs(ms))).toBe(ms);
    }));
    fc.assert(fc.property(fc.integer({ min: 0, max: 1 << 30 }), (b) => {
      expect(parseSizeBytes('s', formatSizeBytes(b))).toBe(b);
    }));
  });

  it('throws only usage errors on arbitrary input (fuzz)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 20 }), (s) => {
      for (const parse of [parseDurationMs, parseSizeBytes]) {
        try {
          parse('f', s);
        } catch (err) {
          expect(err).toBeInstanceOf(UsageError);
        }
      }
    }));
  });
});
