import type { Stage } from '../../core/scenario.js';

/**
 * Piecewise-linear target at `elapsedMs`: starts at `initial`, each stage ramps linearly to its
 * target; after the last stage, the last target. Before 0 it is `initial`. A stage of 0 ms is a
 * step: its target holds from the instant it starts.
 */
export function targetAt(initial: number, stages: readonly Stage[], elapsedMs: number): number {
  if (elapsedMs < 0) return initial;
  let from = initial;
  let stageStartMs = 0;
  for (const { durationMs, target } of stages) {
    if (elapsedMs < stageStartMs + durationMs) {
      return from + ((target - from) * (elapsedMs - stageStartMs)) / durationMs;
    }
    from = target;
    stageStartMs += durationMs;
  }
  return from;
}
