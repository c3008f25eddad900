import type { FireResult } from '../../harness/load/executor-types.js';
import type { FakeClock } from './fake-clock.js';

/** What one fired request does: settle after `durationMs` of fake time (0: at once) with `ok`. */
export interface FireBehaviour {
  readonly ok: boolean;
  readonly durationMs: number;
}

/** One call of `fire`, as the executor made it. */
export interface FireCall {
  readonly intendedStartMs: number;
  /** Fake-clock time when fire was called. */
  readonly calledAtMs: number;
}

/**
 * A `fire` hook for executor tests: each call behaves as `behaviour(callIndex)` says, on the fake
 * clock, and the recorder keeps every call and the in-flight count over time.
 */
export class FireRecorder {
  readonly calls: FireCall[] = [];
  inFlight = 0;
  /** Most fires unsettled at once, counting every instant (no smoothing). */
  peakInFlight = 0;
  /** In-flight count after each change, with its time; several changes at one time keep the last. */
  readonly #timeline: { timeMs: number; inFlight: number }[] = [];
  readonly #clock: FakeClock;
  readonly #behaviour: (callIndex: number) => FireBehaviour;

  constructor(clock: FakeClock, behaviour: (callIndex: number) => FireBehaviour) {
    this.#clock = clock;
    this.#behaviour = behaviour;
  }

  readonly fire = (intendedStartMs: number): Promise<FireResult> => {
    const { ok, durationMs } = this.#behaviour(this.calls.length);
    this.calls.push({ intendedStartMs, calledAtMs: this.#clock.now() });
    this.#change(+1);
    const settle = (): FireResult => {
      this.#change(-1);
      return { ok };
    };
    return durationMs === 0 ? Promise.resolve(settle()) : this.#clock.sleep(durationMs).then(settle);
  };

  /** Highest in-flight count held at any time in [fromMs, toMs). */
  maxInFlightBetween(fromMs: number, toMs: number): number {
    let atFrom = 0;
    let max = 0;
    for (const { timeMs, inFlight } of this.#settledTimeline()) {
      if (timeMs <= fromMs) atFrom = inFlight;
      else if (timeMs < toMs) max = Math.max(max, inFlight);
    }
    return Math.max(max, atFrom);
  }

  /** The count each instant ended with: a settle and the next start at the same time are no dip. */
  #settledTimeline(): { timeMs: number; inFlight: number }[] {
    const byTime = new Map<number, number>();
    for (const { timeMs, inFlight } of this.#timeline) byTime.set(timeMs, inFlight);
    return [...byTime].map(([timeMs, inFlight]) => ({ timeMs, inFlight }));
  }

  #change(delta: number): void {
    this.inFlight += delta;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    this.#timeline.push({ timeMs: this.#clock.now(), inFlight: this.inFlight });
  }
}
