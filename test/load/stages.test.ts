import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.js';
import { formatStages, parseStages, stagesDurationMs } from '../../core/stages.js';
import { targetAt } from '../../harness/load/stage-target.js';

describe('parseStages', () => {
  it.each([
    ['10s:100,30s:500,10s:0', [{ durationMs: 10_000, target: 100 }, { durationMs: 30_000, target: 500 }, { durationMs: 10_000, target: 0 }]],
    ['500ms:5', [{ durationMs: 500, target: 5 }]],
    ['2:10', [{ durationMs: 2000, target: 10 }]],
    ['1m:2.5', [{ durationMs: 60_000, target: 2.5 }]],
    [' 0s : 100 , 1.5s:0 ', [{ durationMs: 0, target: 100 }, { durationMs: 1500, target: 0 }]],
  ])('reads %j', (input, stages) => {
    expect(parseStages('--stages', input)).toEqual(stages);
  });

  it.each(['', '10s', '10s:', ':5', '10s:-1', '10s:abc', '10x:5', '10s:5,', '10s:5:6', '10s:1e3', `10s:${'9'.repeat(400)}`])(
    'refuses %j with a UsageError naming the field',
    (input) => {
      const err = captureError(() => parseStages('--stages', input));
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).field).toBe('--stages');
      expect((err as UsageError).message).toContain('10s:100,30s:500,10s:0');
    },
  );

  it('names the stage that is wrong', () => {
    expect(() => parseStages('defaults.stages', '10s:100,3q:5')).toThrow("defaults.stages: expects duration:target stages such as 10s:100,30s:500,10s:0, got '10s:100,3q:5' (stage 2: '3q:5')");
  });

  it('reads back what formatStages writes', () => {
    const stage = fc.record({
      durationMs: fc.integer({ min: 0, max: 10_000_000 }),
      target: fc.oneof(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 999_999 }).map((n) => n / 1000)),
    });
    fc.assert(
      fc.property(fc.array(stage, { minLength: 1, maxLength: 8 }), (stages) => {
        expect(parseStages('--stages', formatStages(stages))).toEqual(stages);
      }),
    );
  });

  it('throws nothing but UsageError on garbage', () => {
    const garbage = fc.oneof(fc.string(), fc.stringMatching(/^[0-9a-z:,.\s-]{0,20}$/));
    fc.assert(
      fc.property(garbage, (input) => {
        const err = captureError(() => parseStages('--stages', input));
        if (err !== undefined) expect(err).toBeInstanceOf(UsageError);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('targetAt', () => {
  const stages = parseStages('--stages', '10s:100,30s:500,10s:0');

  it.each([
    [-5, 0],
    [0, 0],
    [5000, 50],
    [10_000, 100],
    [25_000, 300],
    [40_000, 500],
    [45_000, 250],
    [50_000, 0],
    [60_000, 0],
  ])('ramps 0 → 100 → 500 → 0 to %i ms: %i', (elapsedMs, target) => {
    expect(targetAt(0, stages, elapsedMs)).toBe(target);
  });

  it('holds the initial value without stages and the last target after them', () => {
    expect(targetAt(7, [], 1e9)).toBe(7);
    expect(targetAt(7, [{ durationMs: 1000, target: 3 }], 1e9)).toBe(3);
  });

  it('steps at once on a 0 ms stage', () => {
    const step = [{ durationMs: 1000, target: 10 }, { durationMs: 0, target: 50 }, { durationMs: 1000, target: 50 }];
    expect([999, 1000, 1500].map((ms) => targetAt(10, step, ms))).toEqual([10, 50, 50]);
  });

  it('adds the durations up', () => {
    expect(stagesDurationMs(stages)).toBe(50_000);
    expect(stagesDurationMs([])).toBe(0);
  });
});

function captureError(action: () => unknown): unknown {
  try {
    action();
    return undefined;
  } catch (err) {
    return err;
  }
}
