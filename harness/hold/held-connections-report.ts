import type { HeldConnections } from '../../reports/schema.js';
import { harnessLimitHint, openFilesLimit } from './fd-limit.js';
import type { HoldOptions } from './hold-options.js';
import { HOLD_DEFAULTS } from './hold-defaults.js';
import type { HoldTally } from './hold-tally.js';

/** What a finished hold phase measured. */
export interface HoldFigures {
  readonly options: HoldOptions;
  readonly tally: HoldTally;
  readonly openingMs: number;
  readonly holdMs: number;
  /** SUT RSS before the first connection opened, MiB. */
  readonly baselineMiB: number | undefined;
  /** SUT RSS while held (median of the hold's second half), MiB. */
  readonly heldMiB: number | undefined;
}

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

/**
 * The report's {@link HeldConnections}: counts, causes, setup phases, and the proxy's memory per
 * 1,000 held connections = (held − baseline) / established × 1000 — null when the SUT was not
 * sampled or nothing was established, since no honest figure exists then.
 */
export function heldConnectionsReport(figures: HoldFigures): HeldConnections {
  const { options, tally } = figures;
  const { baselineMiB, heldMiB } = figures;
  const perThousand = baselineMiB !== undefined && heldMiB !== undefined && tally.established > 0
    ? round(((heldMiB - baselineMiB) / tally.established) * 1000, 3)
    : null;
  const hint = tally.harnessLimitDetail === undefined
    ? undefined
    : harnessLimitHint(tally.harnessLimitDetail, options.connections + HOLD_DEFAULTS.reserveFds, openFilesLimit());
  return {
    target: options.connections,
    protocol: options.routes[0]!.protocol,
    origin: options.routes[0]!.origin.protocol,
    established: tally.established,
    failed: tally.failed,
    closedEarly: tally.endedEarly,
    errors: { ...tally.errors },
    ...tally.phases(),
    openingMs: round(figures.openingMs, 1),
    holdMs: round(figures.holdMs, 1),
    ...(options.trickle ? { trickle: { intervalMs: options.trickle.intervalMs, ok: tally.trickleOk, failed: tally.trickleFailed } } : {}),
    sutRssBaselineMiB: baselineMiB === undefined ? null : round(baselineMiB, 2),
    sutRssHeldMiB: heldMiB === undefined ? null : round(heldMiB, 2),
    sutRssPerThousandMiB: perThousand,
    ...(hint !== undefined ? { hint } : {}),
  };
}
