import type { Stage } from '../../core/scenario.js';
import type { RunConfig } from './run-config.js';

/**
 * How `--shard i/N` divides the run's load: the shard's share, which the workers then split among
 * themselves (harness/workers/worker-plan.ts) and the report shows as the shard's load
 * (harness/report-assembly/build-report.ts), so both read one rule.
 */

/** Splits `total` into `parts` whole shares that differ by at most one and add up to `total`. */
export function splitEvenly(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  const extra = total - base * parts;
  return Array.from({ length: parts }, (_, i) => base + (i < extra ? 1 : 0));
}

/** One shard's part of the run's load (the whole load when the run is not sharded). */
export interface ShardShare {
  /** The shard's rate (req/s), concurrency, stage targets and in-flight limit. */
  readonly load: RunConfig['load'];
  /** The shard's part of `--requests` (measured requests), if the run is bounded by count. */
  readonly requests?: number;
  /** A hold run: the shard's part of `--connections`. */
  readonly connections?: number;
}

/**
 * What `--shard i/N` leaves to this shard: the rate and stage targets divided by N; concurrency,
 * stage targets of the closed model, the in-flight limit, `--requests` and a hold run's
 * `--connections` split into whole shares
 * that add up to the run's (at least 1 in flight). The report shows these shares as the shard's
 * load, and a merge of every shard adds them back to the whole.
 */
export function shardShare(config: RunConfig): ShardShare {
  const count = config.shard?.count ?? 1;
  const index = config.shard?.index ?? 0;
  const wholeShare = (n: number): number => splitEvenly(Math.round(n), count)[index]!;
  const load = config.load;
  const requests = {
    ...(config.requests !== undefined ? { requests: wholeShare(config.requests) } : {}),
    ...(config.hold ? { connections: wholeShare(config.hold.connections) } : {}),
  };
  if (load.model === 'closed') {
    const stages = load.stages?.map((s): Stage => ({ durationMs: s.durationMs, target: wholeShare(s.target) }));
    return { load: { model: 'closed', concurrency: wholeShare(load.concurrency), ...(stages ? { stages } : {}) }, ...requests };
  }
  const stages = load.stages?.map((s): Stage => ({ durationMs: s.durationMs, target: s.target / count }));
  const maxInFlight = Math.max(1, wholeShare(load.maxInFlight));
  return { load: { model: 'open', rate: load.rate / count, maxInFlight, ...(stages ? { stages } : {}) }, ...requests };
}
