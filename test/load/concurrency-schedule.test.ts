import { describe, expect, it } from 'vitest';
import { concurrencyAt, nextConcurrencyChangeMs } from '../../harness/load/concurrency-schedule.js';
import { parseStages } from '../../core/stages.js';

describe('concurrency schedule', () => {
  const rampUp = parseStages('--stages', '1s:10');
  const rampDown = parseStages('--stages', '1s:0');

  it.each([
    [0, 0, 50],
    [49, 0, 50],
    [50, 1, 150],
    [950, 10, 1000],
    [1000, 10, Infinity],
  ])('rising 0 → 10 over 1 s, at %i ms: %i slots, next step at %i ms', (elapsedMs, slots, nextMs) => {
    expect(concurrencyAt(0, rampUp, elapsedMs)).toBe(slots);
    expect(nextConcurrencyChangeMs(0, rampUp, elapsedMs)).toBe(nextMs);
  });

  it.each([
    [0, 10, 50],
    [50, 10, 51], // exactly 9.5 still rounds up; it falls to 9 just after
    [51, 9, 150],
    [960, 0, 1000],
  ])('falling 10 → 0 over 1 s, at %i ms: %i slots, next step at %i ms', (elapsedMs, slots, nextMs) => {
    expect(concurrencyAt(10, rampDown, elapsedMs)).toBe(slots);
    expect(nextConcurrencyChangeMs(10, rampDown, elapsedMs)).toBe(nextMs);
  });

  it('wakes at the end of a flat stage, then never again', () => {
    const flat = parseStages('--stages', '2s:4');
    expect([nextConcurrencyChangeMs(4, flat, 0), nextConcurrencyChangeMs(4, flat, 2000)]).toEqual([2000, Infinity]);
  });
});
