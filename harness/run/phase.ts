import type { Protocol } from '../../core/scenario.js';
import { Aggregator } from '../recorder/aggregator.js';
import type { PhaseOutcome } from '../report-assembly/build-report.js';
import type { HarnessMonitor } from '../recorder/harness-monitor.js';
import { planWorkers, type RunEndpoints } from '../workers/worker-plan.js';
import type { RunConfig } from '../config/run-config.js';
import type { RunOptions, RunProgress } from '../config/run-options.js';
import type { RunSut } from './start-sut.js';
import { runWorkers } from '../workers/worker-pool.js';

/** A load phase's figures, and the workers that failed in it (see PoolResult.failures). */
export interface LoadPhaseOutcome extends PhaseOutcome {
  readonly workerFailures: readonly string[];
}

/**
 * One load phase: plans the workers, runs them, and aggregates their batches. The harness and SUT
 * monitors (proxied phase only) are told when the measured part starts and ends.
 */
export async function runPhase(
  config: RunConfig,
  endpoints: RunEndpoints,
  options: RunOptions,
  monitors: { harness?: HarnessMonitor; sut?: RunSut },
  protocolOverride?: Protocol,
): Promise<LoadPhaseOutcome> {
  const plans = planWorkers(config, endpoints, protocolOverride);
  const aggregator = new Aggregator(config.scenario.mix.map((m) => m.kind), plans.length, protocolOverride ? 0 : endpoints.proxies.members.length);
  let startAtWallMs = Date.now();
  const timers: NodeJS.Timeout[] = [];
  let measureStarted: Promise<void> | undefined;
  const plannedMs = config.warmupMs + config.durationMs;
  const onStart = (at: number): void => {
    startAtWallMs = at;
    const untilMeasure = Math.max(0, at + config.warmupMs - Date.now());
    timers.push(setTimeout(() => {
      measureStarted = monitors.harness?.markMeasureStart();
      monitors.sut?.monitor?.markMeasureStart();
    }, untilMeasure));
    if (options.onProgress) {
      const report = options.onProgress;
      timers.push(setInterval(() => {
        const elapsedMs = Date.now() - at;
        const snap = aggregator.snapshot();
        const phase: RunProgress['phase'] = protocolOverride ? 'baseline' : elapsedMs < config.warmupMs ? 'warmup' : 'measure';
        report({ phase, elapsedMs, plannedMs, ...snap });
      }, 1000));
    }
  };
  try {
    // Only the first phase keeps the shared start instant of a sharded run.
    const pool = await runWorkers(plans, aggregator, options.signal, onStart, protocolOverride ? undefined : config.startAtMs);
    await measureStarted;
    const usage = monitors.harness ? await monitors.harness.markMeasureEnd() : undefined;
    monitors.sut?.monitor?.markMeasureEnd();
    const measureStartWallMs = startAtWallMs + config.warmupMs;
    // Interrupted in warm-up: nothing was measured; keep the duration positive for the rates.
    const measuredMs = Math.max(1, pool.measuredEndWallMs - measureStartWallMs);
    return {
      kinds: aggregator.kinds(),
      ...(protocolOverride ? {} : { proxies: aggregator.proxies() }),
      series: aggregator.finishSeries(),
      measuredMs,
      health: pool.health,
      ...(usage ? { usage } : {}),
      startAtWallMs,
      interrupted: pool.interrupted,
      workerFailures: pool.failures,
    };
  } finally {
    timers.forEach((t) => clearTimeout(t));
  }
}
