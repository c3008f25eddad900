import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { constantPacer, stagedPacer } from '../../harness/load/pacer.js';
import { parseStages } from '../../core/stages.js';

describe('constantPacer', () => {
  const pacer = constantPacer(100);

  it.each([0, 1, 2, 99, 1_000_000])('puts hit %i at 10 ms × n at 100/s', (hit) => {
    expect(pacer.dueMs(hit)).toBe(10 * hit);
  });

  it.each([
    [0, 0],
    [10, 1],
    [10.0001, 2],
    [1000, 100],
    [60_000, 6000],
  ])('asks for hits due before %i ms: %i', (elapsedMs, hits) => {
    expect(pacer.hitsBy(elapsedMs)).toBe(hits);
  });

  it('schedules nothing at 0/s', () => {
    const idle = constantPacer(0);
    expect([idle.dueMs(0), idle.hitsBy(1e9), idle.rateAt(5)]).toEqual([undefined, 0, 0]);
  });
});

describe('stagedPacer', () => {
  it('schedules 500 hits on a ramp 0 → 100/s over 10 s, then 100/s', () => {
    const pacer = stagedPacer(0, parseStages('--stages', '10s:100'));
    expect(pacer.hitsBy(10_000)).toBe(500);
    expect(pacer.hitsBy(5000)).toBe(125); // ∫ of a ramp grows with t²: a quarter by half-time
    expect(pacer.dueMs(0)).toBe(0);
    expect(pacer.dueMs(500)).toBe(10_000);
    expect(pacer.dueMs(600)).toBe(11_000);
    expect(pacer.rateAt(2500)).toBe(25);
  });

  it('puts due times in order along a ramp', () => {
    const pacer = stagedPacer(0, parseStages('--stages', '10s:100'));
    const due = Array.from({ length: 700 }, (_, hit) => pacer.dueMs(hit) ?? NaN);
    expect(due.every((ms, i) => i === 0 || ms > (due[i - 1] ?? Infinity))).toBe(true);
    // Hit n of the ramp is due at √(200 000 · n) ms (∫ = t² / 200 000).
    expect(due[8]).toBeCloseTo(Math.sqrt(200_000 * 8), 9);
  });

  it('starts nothing while the rate is 0 and starts as it rises', () => {
    const pacer = stagedPacer(0, parseStages('--stages', '10s:0,0s:50'));
    expect([pacer.dueMs(0), pacer.dueMs(1), pacer.hitsBy(10_000)]).toEqual([10_000, 10_020, 0]);
  });

  it('ends when the rate falls to 0 for good', () => {
    const pacer = stagedPacer(100, parseStages('--stages', '1s:0'));
    expect(pacer.dueMs(49)).toBeLessThan(1000);
    expect(pacer.dueMs(50)).toBeUndefined();
    expect(pacer.hitsBy(60_000)).toBe(50);
  });

  it('steps at once on a 0 ms stage', () => {
    const pacer = stagedPacer(10, parseStages('--stages', '1s:10,0s:1000'));
    expect([pacer.dueMs(9), pacer.dueMs(10), pacer.dueMs(11), pacer.hitsBy(1002)]).toEqual([900, 1000, 1001, 12]);
  });

  const stagesArbitrary = fc.array(
    fc.record({ durationMs: fc.integer({ min: 0, max: 20_000 }), target: fc.integer({ min: 0, max: 2000 }) }),
    { minLength: 0, maxLength: 5 },
  );

  it('never puts a hit before the one ahead of it, and hitsBy agrees with dueMs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2000 }), stagesArbitrary, fc.integer({ min: 0, max: 50_000 }), (initial, stages, hit) => {
        const pacer = stagedPacer(initial, stages);
        const due = pacer.dueMs(hit);
        const next = pacer.dueMs(hit + 1);
        if (due === undefined) {
          expect(next).toBeUndefined();
          return;
        }
        if (next !== undefined) expect(next).toBeGreaterThanOrEqual(due);
        expect(Math.abs(pacer.hitsBy(due) - hit)).toBeLessThanOrEqual(1);
        expect(pacer.hitsBy(due + 1e-6)).toBeGreaterThanOrEqual(hit + 1);
      }),
      { numRuns: 500 },
    );
  });
});
