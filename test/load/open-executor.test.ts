import { describe, expect, it } from 'vitest';
import { BACKOFF_DEFAULTS } from '../../harness/load/backoff.js';
import type { OpenLoopOptions } from '../../harness/load/executor-types.js';
import { runOpenLoop } from '../../harness/load/executor.js';
import { constantPacer, stagedPacer } from '../../harness/load/pacer.js';
import { parseStages } from '../../core/stages.js';
import { FakeClock } from '../support/fake-clock.js';
import { FireRecorder, type FireBehaviour } from '../support/fire-recorder.js';

/** An open loop at 100/s (one hit every 10 ms) on a fresh fake clock, recording late and dropped hits and backoffs. */
function openLoop(
  behaviour: (callIndex: number, clock: FakeClock) => FireBehaviour,
  options: Partial<OpenLoopOptions> & Pick<OpenLoopOptions, 'bounds'>,
) {
  const clock = new FakeClock();
  const recorder = new FireRecorder(clock, (i) => behaviour(i, clock));
  const late: [number, number][] = [];
  const dropped: number[] = [];
  const backoffsMs: number[] = [];
  const done = runOpenLoop({
    clock,
    pacer: constantPacer(100),
    maxInFlight: 100,
    backoff: BACKOFF_DEFAULTS,
    hooks: {
      fire: recorder.fire,
      onLate: (intendedMs, byMs) => late.push([intendedMs, byMs]),
      onDropped: (intendedMs) => dropped.push(intendedMs),
      onBackoff: (delayMs) => backoffsMs.push(delayMs),
    },
    ...options,
  });
  return { clock, recorder, late, dropped, backoffsMs, done };
}

const ok5ms = (): FireBehaviour => ({ ok: true, durationMs: 5 });
const intended = (recorder: FireRecorder): number[] => recorder.calls.map((call) => call.intendedStartMs);

describe('runOpenLoop', () => {
  it('starts each request at the time the pacer gives, on time', async () => {
    const { clock, recorder, late, dropped, done } = openLoop(ok5ms, { bounds: { endAtMs: 1000 } });
    const counts = await clock.run(done);
    expect(counts).toEqual({ started: 100, backoffs: 0, late: 0, dropped: 0, slotWaits: 0 });
    expect(intended(recorder)).toEqual(Array.from({ length: 100 }, (_, n) => 10 * n));
    expect(recorder.calls.every((call) => call.calledAtMs === call.intendedStartMs)).toBe(true);
    expect([late, dropped]).toEqual([[], []]);
  });

  it('follows a staged pacer: a ramp 0 → 100/s over 2 s starts hitsBy(2 s) requests at their due times', async () => {
    const pacer = stagedPacer(0, parseStages('--stages', '2s:100'));
    const { clock, recorder, done } = openLoop(ok5ms, { pacer, bounds: { endAtMs: 2000 } });
    const counts = await clock.run(done);
    expect(counts.started).toBe(pacer.hitsBy(2000));
    expect(counts.started).toBe(100);
    expect(intended(recorder)).toEqual(Array.from({ length: 100 }, (_, n) => pacer.dueMs(n)));
  });

  it('counts from startMs, so a run can begin at an agreed time', async () => {
    const { clock, recorder, done } = openLoop(ok5ms, { startMs: 250, bounds: { endAtMs: 300 } });
    await clock.run(done);
    expect(intended(recorder)).toEqual([250, 260, 270, 280, 290]);
  });

  it('starts overdue requests in one burst after a blocked event loop, late, their intended starts unchanged', async () => {
    // The request at 30 ms blocks the event loop for 35 ms: those due at 40, 50 and 60 ms are overdue.
    const { clock, recorder, late, done } = openLoop((i, c) => (i === 3 ? (c.block(35), ok5ms()) : ok5ms()), { bounds: { endAtMs: 100 } });
    const counts = await clock.run(done);
    expect(recorder.calls.slice(4, 7)).toEqual([
      { intendedStartMs: 40, calledAtMs: 65 },
      { intendedStartMs: 50, calledAtMs: 65 },
      { intendedStartMs: 60, calledAtMs: 65 },
    ]);
    // Default tolerance: one interval (10 ms). 60 ms started 5 ms behind, inside its own slot.
    expect(late).toEqual([[40, 25], [50, 15]]);
    expect(counts).toEqual({ started: 10, backoffs: 0, late: 2, dropped: 0, slotWaits: 0 });
  });

  it('reports each late request right before firing it, with no other call in between', async () => {
    const clock = new FakeClock();
    const events: string[] = [];
    const done = runOpenLoop({
      clock,
      pacer: constantPacer(100),
      maxInFlight: 100,
      backoff: BACKOFF_DEFAULTS,
      hooks: {
        fire: (ms) => {
          events.push(`fire ${ms}`);
          if (ms === 0) clock.block(45);
          return Promise.resolve({ ok: true });
        },
        onLate: (ms) => events.push(`late ${ms}`),
      },
      bounds: { endAtMs: 60 },
    });
    await clock.run(done);
    expect(events).toEqual(['fire 0', 'late 10', 'fire 10', 'late 20', 'fire 20', 'late 30', 'fire 30', 'fire 40', 'fire 50']);
  });

  it('makes a request that waits for a free slot late, by its wait, counted from its intended start', async () => {
    // Two slots; the requests at 0 and 10 ms hold them 25 ms. The one due at 20 ms waits until 25.
    const { clock, recorder, late, dropped, done } = openLoop((i) => ({ ok: true, durationMs: i < 2 ? 25 : 1 }), {
      maxInFlight: 2,
      lateToleranceMs: 1,
      bounds: { endAtMs: 50 },
    });
    const counts = await clock.run(done);
    expect(recorder.calls[2]).toEqual({ intendedStartMs: 20, calledAtMs: 25 });
    expect([late, dropped]).toEqual([[[20, 5]], []]);
    expect(recorder.peakInFlight).toBe(2);
    expect(counts).toEqual({ started: 5, backoffs: 0, late: 1, dropped: 0, slotWaits: 1 });
  });

  it('makes requests that find maxInFlight reached wait, then start one per freed slot with their intended starts (wrk2)', async () => {
    // One slot, held 35 ms by the first request: 10, 20 and 30 ms wait and start at 35, 36, 37.
    const { clock, recorder, late, dropped, done } = openLoop((i) => ({ ok: true, durationMs: i === 0 ? 35 : 1 }), {
      maxInFlight: 1,
      bounds: { endAtMs: 60 },
    });
    const counts = await clock.run(done);
    expect(dropped).toEqual([]);
    expect(recorder.calls.map((call) => [call.intendedStartMs, call.calledAtMs])).toEqual([[0, 0], [10, 35], [20, 36], [30, 37], [40, 40], [50, 50]]);
    // Late beyond one interval (10 ms): the waits of 25 and 16 ms; 7 ms is within the interval.
    expect(late).toEqual([[10, 25], [20, 16]]);
    expect(counts).toEqual({ started: 6, backoffs: 0, late: 2, dropped: 0, slotWaits: 3 });
  });

  it('stays within maxInFlight against a proxy that never answers, and counts what was never sent as dropped', async () => {
    const { clock, recorder, done } = openLoop(() => ({ ok: false, durationMs: 10_000 }), {
      pacer: constantPacer(1000),
      maxInFlight: 50,
      backoff: { ...BACKOFF_DEFAULTS, maxMs: 0 }, // isolate the in-flight bound from backoff
      bounds: { endAtMs: 1000 },
    });
    const counts = await clock.run(done);
    expect(recorder.peakInFlight).toBe(50);
    expect(counts.started).toBe(50);
    expect(counts.started + counts.dropped).toBe(1000);
    // What the schedule_not_kept warning reads to blame the proxy rather than the harness's timers.
    expect(counts.slotWaits).toBeGreaterThan(0);
  });

  it('holds every start during a backoff: what it covers is dropped or starts late, never hidden', async () => {
    // Every request fails at once; backoffs of 25, 50, 100 ms (no jitter). The request due at
    // 20 ms starts when the first backoff ends at 25, inside its slot; 70 ms waits for 75.
    const { clock, recorder, dropped, backoffsMs, done } = openLoop(() => ({ ok: false, durationMs: 0 }), {
      backoff: { initialMs: 25, factor: 2, maxMs: 1000, jitter: 0 },
      bounds: { endAtMs: 100 },
    });
    const counts = await clock.run(done);
    expect(backoffsMs).toEqual([25, 50, 100]);
    expect(recorder.calls.map((call) => [call.intendedStartMs, call.calledAtMs])).toEqual([[0, 0], [20, 25], [70, 75]]);
    expect(dropped).toEqual([10, 30, 40, 50, 60, 80, 90]);
    expect(counts).toEqual({ started: 3, backoffs: 3, late: 0, dropped: 7, slotWaits: 0 });
  });

  it('counts failures settling during a backoff into the streak without starting another', async () => {
    // Four requests in flight fail together at 35 ms: one 5 ms backoff, the streak reaches 4; the
    // next request (40 ms) fails at once: streak 5 → 5 · 2⁴ = 80 ms.
    const { clock, backoffsMs, done } = openLoop((i) => ({ ok: false, durationMs: i < 4 ? 35 - 10 * i : 0 }), {
      backoff: { initialMs: 5, factor: 2, maxMs: 1000, jitter: 0 },
      bounds: { endAtMs: 100, maxRequests: 5 },
    });
    const counts = await clock.run(done);
    expect(backoffsMs).toEqual([5, 80]);
    expect(counts).toEqual({ started: 5, backoffs: 2, late: 0, dropped: 0, slotWaits: 0 });
  });

  it('starts a new streak after a success', async () => {
    const outcomes = [false, false, true, false];
    const { clock, backoffsMs, done } = openLoop((i) => ({ ok: outcomes[i] ?? true, durationMs: 0 }), {
      backoff: { initialMs: 5, factor: 2, maxMs: 1000, jitter: 0 },
      bounds: { endAtMs: 40 },
    });
    await clock.run(done);
    expect(backoffsMs).toEqual([5, 10, 5]);
  });

  it.each([1, 37, 250])('starts exactly maxRequests = %i requests', async (maxRequests) => {
    const { clock, recorder, done } = openLoop(ok5ms, { pacer: constantPacer(1000), bounds: { endAtMs: 60_000, maxRequests } });
    const counts = await clock.run(done);
    expect([counts.started, recorder.calls.length]).toEqual([maxRequests, maxRequests]);
  });

  it('stops starting at once on abort and resolves when the started requests settle', async () => {
    const controller = new AbortController();
    const { clock, recorder, done } = openLoop(ok5ms, { bounds: { endAtMs: 60_000, signal: controller.signal } });
    await clock.advanceTo(42);
    controller.abort();
    const counts = await clock.run(done);
    expect(intended(recorder)).toEqual([0, 10, 20, 30, 40]);
    expect(counts).toEqual({ started: 5, backoffs: 0, late: 0, dropped: 0, slotWaits: 0 });
    expect(clock.now()).toBe(45);
  });

  it('rejects with the error of a fire that throws, once the other requests have settled', async () => {
    const clock = new FakeClock();
    const recorder = new FireRecorder(clock, () => ({ ok: true, durationMs: 15 }));
    const done = runOpenLoop({
      clock,
      pacer: constantPacer(100),
      maxInFlight: 10,
      backoff: BACKOFF_DEFAULTS,
      hooks: { fire: (ms) => (ms === 20 ? Promise.reject(new Error('transport bug')) : recorder.fire(ms)) },
      bounds: { endAtMs: 60_000 },
    });
    await expect(clock.run(done)).rejects.toThrow('transport bug');
    expect(intended(recorder)).toEqual([0, 10]);
    expect(clock.now()).toBe(25);
  });
});
