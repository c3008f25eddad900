import { describe, expect, it } from 'vitest';
import { BACKOFF_DEFAULTS, backoffDelayMs } from '../../harness/load/backoff.js';
import { runClosedLoop } from '../../harness/load/executor.js';
import { FakeClock } from '../support/fake-clock.js';
import { FireRecorder } from '../support/fire-recorder.js';

describe('backoffDelayMs', () => {
  // Defaults: 10 ms doubling, capped at 1 s; jitter 0.5 halves the delay when random() is 1.
  it.each([
    [1, 10],
    [2, 20],
    [3, 40],
    [4, 80],
    [5, 160],
    [6, 320],
    [7, 640],
    [8, 1000],
    [9, 1000],
    [10, 1000],
    [11, 1000],
    [12, 1000],
  ])('waits %i consecutive failures → %i ms with random 0, half of it with random 1', (failures, baseMs) => {
    expect(backoffDelayMs(failures, BACKOFF_DEFAULTS, () => 0)).toBe(baseMs);
    expect(backoffDelayMs(failures, BACKOFF_DEFAULTS, () => 1)).toBe(baseMs / 2);
  });

  it('is 0 when there was no failure', () => {
    expect(backoffDelayMs(0, BACKOFF_DEFAULTS, () => 0)).toBe(0);
  });

  it('stays at the cap on a streak long enough to overflow factor^(n-1)', () => {
    expect(backoffDelayMs(5000, BACKOFF_DEFAULTS, () => 0)).toBe(1000);
    expect(backoffDelayMs(5000, { ...BACKOFF_DEFAULTS, initialMs: 0 }, () => 0)).toBe(0);
  });

  it('follows the flags: initial 3 ms, factor 3, max 100 ms, no jitter', () => {
    const options = { initialMs: 3, factor: 3, maxMs: 100, jitter: 0 };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelayMs(n, options, () => 0.9))).toEqual([3, 9, 27, 81, 100]);
  });
});

describe('backoff in the closed loop', () => {
  it('waits the formula after each consecutive failure and starts over after a success', async () => {
    const clock = new FakeClock();
    // fail ×4, ok, fail ×2, ok — all settling at once, so only backoff spaces the requests.
    const outcomes = [false, false, false, false, true, false, false, true];
    const recorder = new FireRecorder(clock, (i) => ({ ok: outcomes[i] ?? true, durationMs: 0 }));
    const delaysMs: number[] = [];
    const counts = await clock.run(
      runClosedLoop({
        clock,
        concurrency: 1,
        backoff: BACKOFF_DEFAULTS,
        random: () => 0.25, // jitter 0.5 × 0.25: every delay is 0.875 of its base
        hooks: { fire: recorder.fire, onBackoff: (delayMs) => delaysMs.push(delayMs) },
        bounds: { endAtMs: 10_000, maxRequests: outcomes.length },
      }),
    );
    expect(delaysMs).toEqual([8.75, 17.5, 35, 70, 8.75, 17.5]);
    expect(recorder.calls.map((call) => call.calledAtMs)).toEqual([0, 8.75, 26.25, 61.25, 131.25, 131.25, 140, 157.5]);
    expect(counts).toEqual({ started: 8, backoffs: 6, late: 0, dropped: 0, slotWaits: 0 });
  });
});
