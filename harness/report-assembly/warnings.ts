import type { HarnessResources, LoadSummary, ReportWarning, Stats } from '../../reports/schema.js';
import type { WorkerHealth } from '../recorder/batch.js';
import type { HarnessUsage } from '../recorder/harness-monitor.js';

/** When the harness calls itself the bottleneck, and other warning limits. */
export const WARNING_LIMITS = {
  /** Mean worker event-loop utilisation at or above this: the workers had no idle time left. */
  eventLoopUtilization: 0.9,
  /** Worst worker event-loop delay p99 at or above this, ms: timers and sockets waited on the harness. */
  eventLoopDelayP99Ms: 50,
  /** Whole machine busy share at or above this: the harness and the proxy competed for cores. */
  machineBusy: 0.95,
  /** Requests needed before "no connection was reused" is worth saying. */
  minRequestsForReuseWarning: 100,
} as const;

/** The harness's resources and whether it, not the proxy, was the limit. */
export function harnessResources(usage: HarnessUsage, health: readonly WorkerHealth[], requests: number): HarnessResources {
  const elu = health.length > 0 ? health.reduce((sum, h) => sum + h.eventLoopUtilization, 0) / health.length : 0;
  const delayP99 = Math.max(0, ...health.map((h) => h.eventLoopDelayP99Ms));
  // A missed open-model schedule alone is no proof: requests also start late when every slot is held
  // by a slow proxy. Only a busy or delayed event loop says the harness itself was the limit.
  return {
    workers: health.length,
    rssPeakMiB: usage.rssPeakMiB,
    cpuPercent: usage.cpuPercent,
    cpuUsPerRequest: requests > 0 ? Math.round((usage.cpuUs / requests) * 10) / 10 : 0,
    eventLoopDelayP99Ms: Math.round(delayP99 * 100) / 100,
    saturated: elu >= WARNING_LIMITS.eventLoopUtilization || delayP99 >= WARNING_LIMITS.eventLoopDelayP99Ms,
  };
}

/** Inputs of {@link runWarnings}. */
export interface WarningInputs {
  readonly totals: Stats;
  readonly load: LoadSummary;
  readonly harness: HarnessResources;
  readonly health: readonly WorkerHealth[];
  readonly machineBusy?: number;
  readonly keepAlive: boolean;
  readonly partial: boolean;
  /** The SUT's leak finding (SutMonitor.leakFinding), if any. */
  readonly sutLeak?: ReportWarning;
}

/** The findings a reader must see, in plain words. */
export function runWarnings(inputs: WarningInputs): ReportWarning[] {
  const warnings: ReportWarning[] = [];
  const { totals, load, harness } = inputs;
  if (inputs.partial) warnings.push({ code: 'partial', message: 'The run was interrupted: figures cover only the time it ran.' });
  if (totals.requests > 0 && totals.successes === 0) {
    const [cause, count] = Object.entries(totals.errors).sort((a, b) => b[1] - a[1])[0] ?? ['other', 0];
    warnings.push({ code: 'all_failed', message: `Every request failed; the top cause was ${cause} (${count} of ${totals.requests}).` });
  }
  if (harness.saturated) {
    const elu = inputs.health.reduce((sum, h) => sum + h.eventLoopUtilization, 0) / Math.max(1, inputs.health.length);
    const reasons = [
      elu >= WARNING_LIMITS.eventLoopUtilization ? `its workers were busy ${(elu * 100).toFixed(0)}% of the time` : '',
      harness.eventLoopDelayP99Ms >= WARNING_LIMITS.eventLoopDelayP99Ms ? `event-loop delay p99 was ${harness.eventLoopDelayP99Ms} ms` : '',
    ].filter(Boolean);
    const machine = inputs.machineBusy !== undefined && inputs.machineBusy >= WARNING_LIMITS.machineBusy
      ? ` The machine's CPUs were ${(inputs.machineBusy * 100).toFixed(0)}% busy: the harness and the proxy competed for cores.`
      : '';
    warnings.push({
      code: 'harness_saturated',
      message: `The harness, not the proxy, was likely the limit: ${reasons.join('; ')}.${machine} Use more workers, a lower load, or a second machine (--shard).`,
    });
  }
  if (load.model === 'open' && !load.scheduleKept) {
    const why = scheduleMissCauses(inputs).join('; and ');
    // A shard is judged against its own share of the rate, and says so.
    const share = load.shareOf ? ` (this shard's 1/${load.shareOf.shardCount} share${load.shareOf.offeredRps !== undefined ? ` of ${load.shareOf.offeredRps}` : ''})` : '';
    warnings.push({ code: 'schedule_not_kept', message: `The open-model schedule was not kept: offered ${load.offeredRps} req/s${share}, achieved ${load.achievedRps} (${totals.late} late, ${totals.dropped} dropped) because ${why}. Latency is still measured from the intended start.` });
  }
  if (inputs.keepAlive && totals.requests >= WARNING_LIMITS.minRequestsForReuseWarning && totals.connections.reused === 0) {
    warnings.push({ code: 'no_connection_reuse', message: `No connection was reused: the proxy closed every connection after one response (${totals.connections.opened} opened). Clients pay a new connection per request through it.` });
  }
  if (inputs.sutLeak) warnings.push(inputs.sutLeak);
  return warnings;
}

/**
 * Why an open-model schedule was missed, every cause the run shows: the harness saturated; the
 * proxy held every in-flight slot (requests waited for one); the proxy's failures made the harness
 * back off, dropping the requests due meanwhile. Only when none of these happened were the
 * harness's own timers late — on a busy or noisy machine.
 */
function scheduleMissCauses(inputs: WarningInputs): string[] {
  const { totals, harness, health } = inputs;
  const causes: string[] = [];
  if (harness.saturated) causes.push('the harness could not keep up (see above)');
  if (health.some((h) => h.slotWaits > 0)) causes.push('every in-flight slot was busy: the proxy answered too slowly for this rate and --max-in-flight');
  const backoffDrops = health.reduce((n, h) => n + h.backoffDrops, 0);
  if (backoffDrops > 0) {
    causes.push(`the proxy's failures made the harness back off: ${backoffDrops} requests fell due during a backoff and were dropped (${totals.failures} failures, ${totals.backoffs} backoffs)`);
  }
  if (causes.length > 0) return causes;
  return [`the harness's timers fired late (event-loop delay p99 ${harness.eventLoopDelayP99Ms} ms) while in-flight slots were free: a busy or noisy machine rather than the proxy`];
}
