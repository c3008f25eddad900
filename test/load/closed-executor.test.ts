import { describe, expect, it } from 'vitest';
import { BACKOFF_DEFAULTS } from '../../harness/load/backoff.js';
import { runClosedLoop } from '../../harness/load/executor.js';
import type { ClosedLoopOptions } from '../../harness/load/executor-types.js';
import { parseStages } from '../../core/stages.js';
import { FakeClock } from '../support/fake-clock.js';
import { FireRecorder, type FireBehaviour } from '../support/fire-recorder.js';

/** A closed loop on a fresh fake clock, with fires that behave as `behaviour` says. */
function closedLoop(behaviour: (callIndex: number) => FireBehaviour, options: Partial<ClosedLoopOptions> & Pick<ClosedLoopOptions, 'bounds'>) {
  const clock = new FakeClock();
  const recorder = new FireRecorder(clock, behaviour);
  const done = runClosedLoop({ clock, concurrency: 1, backoff: BACKOFF_DEFAULTS, hooks: { fire: recorder.fire }, ...options });
  return { clock, recorder, done };
}

const ok10ms = (): FireBehaviour => ({ ok: true, durationMs: 10 });

describe('runClosedLoop', () => {
  it('keeps exactly `concurrency` requests in flight and starts nothing at or after endAtMs', async () => {
    const { clock, recorder, done } = closedLoop(ok10ms, { concurrency: 5, bounds: { endAtMs: 100 } });
    const counts = await clock.run(done);
    expect(recorder.peakInFlight).toBe(5);
    expect(counts).toEqual({ started: 50, backoffs: 0, late: 0, dropped: 0, slotWaits: 0 });
    expect(Math.max(...recorder.calls.map((call) => call.calledAtMs))).toBe(90);
    expect(clock.now()).toBe(100); // resolved when the fires started at 90 settled
  });

  it.each([1, 7, 64, 1000])('starts exactly maxRequests = %i requests', async (maxRequests) => {
    const { clock, recorder, done } = closedLoop(() => ({ ok: true, durationMs: 0 }), { concurrency: 4, bounds: { endAtMs: 60_000, maxRequests } });
    const counts = await clock.run(done);
    expect(counts.started).toBe(maxRequests);
    expect(recorder.calls).toHaveLength(maxRequests);
    expect(clock.now()).toBe(0); // instant fires: the bound, not the end time, stopped it
  });

  it('passes each request its actual start as the intended start', async () => {
    const { clock, recorder, done } = closedLoop(ok10ms, { concurrency: 2, bounds: { endAtMs: 30 } });
    await clock.run(done);
    expect(recorder.calls.map((call) => [call.intendedStartMs, call.calledAtMs])).toEqual([
      [0, 0], [0, 0], [10, 10], [10, 10], [20, 20], [20, 20],
    ]);
  });

  it('waits for a startMs in the future before the first request', async () => {
    const { clock, recorder, done } = closedLoop(ok10ms, { concurrency: 2, startMs: 50, bounds: { endAtMs: 70 } });
    await clock.run(done);
    expect(recorder.calls.map((call) => call.calledAtMs)).toEqual([50, 50, 60, 60]);
  });

  it('raises and lowers the slot count on stage steps', async () => {
    // 2 slots for 100 ms, a step to 6 for 100 ms, a step down to 1 until the end at 300 ms.
    const stages = parseStages('--stages', '100ms:2,0s:6,100ms:6,0s:1');
    const { clock, recorder, done } = closedLoop(ok10ms, { concurrency: 2, stages, bounds: { endAtMs: 300 } });
    const counts = await clock.run(done);
    expect([recorder.maxInFlightBetween(0, 100), recorder.maxInFlightBetween(100, 200), recorder.maxInFlightBetween(200, 300)]).toEqual([2, 6, 1]);
    expect(counts.started).toBe(2 * 10 + 6 * 10 + 1 * 10);
  });

  it('adds slots along a rising ramp as the rounded target crosses each step', async () => {
    // Requests that outlast the ramp: the in-flight count is the number of slots started so far.
    const stages = parseStages('--stages', '1s:10');
    const { clock, recorder, done } = closedLoop(() => ({ ok: true, durationMs: 2000 }), { concurrency: 0, stages, bounds: { endAtMs: 1500 } });
    const inFlight: number[] = [];
    for (const atMs of [0, 49, 50, 150, 549, 550, 999, 1000]) {
      await clock.advanceTo(atMs);
      inFlight.push(recorder.inFlight);
    }
    expect(inFlight).toEqual([0, 0, 1, 2, 5, 6, 10, 10]);
    await clock.run(done);
  });

  it('retires slots along a falling ramp, each between its requests, and ends when the stages rest at 0', async () => {
    const stages = parseStages('--stages', '1s:0');
    const { clock, recorder, done } = closedLoop(ok10ms, { concurrency: 10, stages, bounds: { endAtMs: 60_000 } });
    const counts = await clock.run(done);
    // Target 10 − t/100 rounded; a retiring slot may finish the request it has in flight (10 ms).
    for (let fromMs = 0; fromMs < 1000; fromMs += 10) {
      const allowed = Math.round(10 - Math.max(0, fromMs - 10) / 100);
      expect(recorder.maxInFlightBetween(fromMs, fromMs + 10), `at ${fromMs} ms`).toBeLessThanOrEqual(allowed);
    }
    expect(recorder.maxInFlightBetween(1000, 60_000)).toBe(0);
    expect(clock.now()).toBeLessThanOrEqual(1010);
    expect(counts.started).toBeGreaterThan(400); // ≈ the area under the ramp: 10 slots × 1 s / 10 ms / 2
    expect(counts.started).toBeLessThan(600);
  });

  it('stops starting at once on abort and resolves when the started requests settle', async () => {
    const controller = new AbortController();
    const { clock, recorder, done } = closedLoop(ok10ms, { concurrency: 3, bounds: { endAtMs: 60_000, signal: controller.signal } });
    await clock.advanceTo(25);
    controller.abort();
    const counts = await clock.run(done);
    expect(counts.started).toBe(9); // 3 slots at 0, 10 and 20 ms
    expect(recorder.calls.every((call) => call.calledAtMs <= 20)).toBe(true);
    expect(clock.now()).toBe(30);
  });

  it('starts nothing when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const { clock, recorder, done } = closedLoop(ok10ms, { concurrency: 3, bounds: { endAtMs: 60_000, signal: controller.signal } });
    expect(await clock.run(done)).toEqual({ started: 0, backoffs: 0, late: 0, dropped: 0, slotWaits: 0 });
    expect(recorder.calls).toHaveLength(0);
  });

  it('backs off each slot on its own streak', async () => {
    // Everything fails before 100 ms. Two slots fail side by side: each doubles its own delay
    // (a shared streak would give 10, 20, 40, …).
    const clock = new FakeClock();
    const recorder = new FireRecorder(clock, () => ({ ok: clock.now() >= 100, durationMs: 0 }));
    const delaysMs: number[] = [];
    const counts = await clock.run(
      runClosedLoop({
        clock,
        concurrency: 2,
        backoff: { initialMs: 10, factor: 2, maxMs: 1000, jitter: 0 },
        hooks: { fire: recorder.fire, onBackoff: (delayMs) => delaysMs.push(delayMs) },
        bounds: { endAtMs: 1000, maxRequests: 10 },
      }),
    );
    expect(delaysMs).toEqual([10, 10, 20, 20, 40, 40, 80, 80]);
    expect(recorder.calls.map((call) => call.calledAtMs)).toEqual([0, 0, 10, 10, 30, 30, 70, 70, 150, 150]);
    expect(counts).toEqual({ started: 10, backoffs: 8, late: 0, dropped: 0, slotWaits: 0 });
  });

  it('yields to the event loop every 64 requests when fires settle at once', async () => {
    const { clock, recorder, done } = closedLoop(() => ({ ok: true, durationMs: 0 }), { concurrency: 2, bounds: { endAtMs: 60_000, maxRequests: 20_000 } });
    let startedAtFirstTurn = -1;
    setImmediate(() => (startedAtFirstTurn = recorder.calls.length));
    await clock.run(done);
    expect(startedAtFirstTurn).toBe(2 * 64);
  });

  it('rejects with the error of a fire that throws, once the other requests have settled', async () => {
    const clock = new FakeClock();
    const recorder = new FireRecorder(clock, ok10ms);
    const done = runClosedLoop({
      clock,
      concurrency: 3,
      backoff: BACKOFF_DEFAULTS,
      hooks: { fire: (ms) => (recorder.calls.length === 4 ? Promise.reject(new Error('transport bug')) : recorder.fire(ms)) },
      bounds: { endAtMs: 60_000 },
    });
    await expect(clock.run(done)).rejects.toThrow('transport bug');
    expect(recorder.inFlight).toBe(0);
    expect(recorder.calls.every((call) => call.calledAtMs <= 10)).toBe(true);
    expect(clock.now()).toBe(20); // what started beside the throw at 10 ms settled at 20
  });
});
