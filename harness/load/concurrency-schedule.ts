import type { Stage } from '../../core/scenario.js';
import { targetAt } from './stage-target.js';

/**
 * The closed model's concurrency over time: the stages' piecewise-linear target rounded to whole
 * slots, and when that whole number next changes, so the executor wakes once per step rather than
 * polling.
 */

/**
 * Shortest wait between two steps, in ms. Node timers cannot wake sooner than 1 ms anyway, and
 * a falling ramp changes "just after" its crossing time, which this turns into a real instant.
 */
const MIN_STEP_MS = 1;

/** Slots wanted at `elapsedMs` (ms since the run's start): the stages' target, rounded, never below 0. */
export function concurrencyAt(initial: number, stages: readonly Stage[], elapsedMs: number): number {
  return Math.max(0, Math.round(targetAt(initial, stages, elapsedMs)));
}

/**
 * The elapsed time (ms, always later than `elapsedMs`) at which {@link concurrencyAt} may next
 * change — the instant its ramp crosses the next half-slot, or the stage's end — and Infinity
 * once the stages are over.
 */
export function nextConcurrencyChangeMs(initial: number, stages: readonly Stage[], elapsedMs: number): number {
  let from = initial;
  let stageStartMs = 0;
  for (const { durationMs, target } of stages) {
    const stageEndMs = stageStartMs + durationMs;
    if (elapsedMs < stageEndMs) {
      const slots = concurrencyAt(initial, stages, elapsedMs);
      // Math.round changes at every half: rising past slots + 0.5, falling below slots − 0.5.
      const edge = target > from ? slots + 0.5 : slots - 0.5;
      const crossMs = target === from ? stageEndMs : stageStartMs + (durationMs * (edge - from)) / (target - from);
      return Math.min(Math.max(crossMs, elapsedMs + MIN_STEP_MS), stageEndMs);
    }
    from = target;
    stageStartMs = stageEndMs;
  }
  return Infinity;
}
