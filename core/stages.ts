import { UsageError } from './errors.js';
import { parseDurationMs } from './units.js';
import type { Stage } from './scenario.js';

/**
 * Stages change the load over a run (`--stages 10s:100,30s:500,10s:0`, or a scenario's
 * `defaults.stages`): each ramps linearly from the previous target to its own over its duration.
 * The target is a rate (req/s) in the open model and a concurrency in the closed model.
 */

export type { Stage };

const EXAMPLE = 'duration:target stages such as 10s:100,30s:500,10s:0';
const TARGET = /^\s*\d+(?:\.\d+)?\s*$/;

/**
 * Parses `duration:target[,duration:target…]`. Durations take the units of
 * {@link parseDurationMs} (a bare number is seconds; `0s` is a step change); targets are numbers ≥ 0.
 *
 * @throws UsageError naming `field` when the text is not a list of stages
 */
export function parseStages(field: string, input: string): Stage[] {
  const items = input.split(',');
  return items.map((item, index) => {
    const fail = (): never => {
      const where = items.length > 1 ? ` (stage ${index + 1}: '${item.trim()}')` : '';
      throw new UsageError(field, `expects ${EXAMPLE}, got '${input}'${where}`);
    };
    const parts = item.split(':');
    const [durationText, targetText] = parts;
    if (parts.length !== 2 || durationText === undefined || targetText === undefined) return fail();
    if (durationText.trim() === '' || !TARGET.test(targetText)) return fail();
    let durationMs: number;
    try {
      durationMs = parseDurationMs(field, durationText);
    } catch (err) {
      if (err instanceof UsageError) return fail();
      throw err;
    }
    const target = Number(targetText);
    // Hundreds of digits parse to Infinity, which no schedule can ramp to.
    if (!Number.isFinite(durationMs) || !Number.isFinite(target)) return fail();
    return { durationMs, target };
  });
}

/** Writes stages back in the form {@link parseStages} reads (`10s:100,1500ms:0`), for reports and `--help`. */
export function formatStages(stages: readonly Stage[]): string {
  return stages
    .map(({ durationMs, target }) => {
      const duration = durationMs % 1000 === 0 ? `${durationMs / 1000}s` : `${durationMs}ms`;
      return `${duration}:${target}`;
    })
    .join(',');
}

/** Total duration of the stages, in ms. */
export function stagesDurationMs(stages: readonly Stage[]): number {
  return stages.reduce((sumMs, stage) => sumMs + stage.durationMs, 0);
}
