import { evaluateThresholds } from '../../reports/thresholds/evaluate-thresholds.js';
import { parseThreshold } from '../../reports/thresholds/parse-threshold.js';
import type { Report } from '../../reports/schema.js';
import { writeReportJson } from '../../reports/writers/json-file.js';
import { SutError } from '../errors.js';
import { emptyCounters, emptyHistograms } from '../../reports/stats.js';
import type { Protocol } from '../../scenarios/scenario.js';
import { Aggregator } from '../recorder/aggregator.js';
import type { WorkerHealth } from '../recorder/batch.js';
import { buildReport, type PhaseResult } from './build-report.js';
import { HarnessMonitor, type HarnessUsage } from './harness-monitor.js';
import { planWorkers, type RunEndpoints } from './plan-workers.js';
import { resolveRunConfig, type RunConfig } from './run-config.js';
import type { RunOptions, RunProgress } from './run-options.js';
import { startRunSut, type RunSut } from './run-sut.js';
import { startRunTargets } from './run-targets.js';
import { runHoldPhase } from './hold/run-hold.js';
import { harnessResources, runWarnings } from './warnings.js';
import { runWorkers } from './worker-pool.js';

/** What one phase (proxied, or the direct baseline) leaves behind. */
interface PhaseOutcome extends PhaseResult {
  readonly health: readonly WorkerHealth[];
  readonly usage?: HarnessUsage;
  readonly startAtWallMs: number;
  readonly interrupted: boolean;
}

/**
 * Runs a scenario against a proxy and returns its report (the typed API of `proxybench run`).
 * Starts the mock origins and the SUT (or attaches), drives the load from worker threads, builds
 * the report, evaluates thresholds, and writes the JSON when `out` is given. Everything it started
 * is stopped before it returns, whatever happens.
 */
export async function run(options: RunOptions): Promise<Report> {
  const config = await resolveRunConfig(options);
  // Parse thresholds before any work, so a typo is a usage error, not a wasted run.
  const thresholds = config.thresholds.map((t) => parseThreshold(t, '--threshold'));
  const targets = await startRunTargets(config.scenario);
  let sut: RunSut | undefined;
  const harness = new HarnessMonitor();
  harness.start();
  try {
    try {
      sut = await startRunSut(config, targets);
    } catch (err) {
      if (err instanceof SutError && options.out) await writeReportJson(options.out, sutFailureReport(config, err));
      throw err;
    }
    let sutExit: string | undefined;
    let stopping = false;
    void sut.exitedEarly?.then((message) => {
      if (!stopping) sutExit = message;
    });
    const endpoints: RunEndpoints = {
      origins: { ...(targets.http ? { http: targets.http } : {}), ...(targets.https ? { https: targets.https } : {}) },
      ...(targets.caPem ? { originCaPem: targets.caPem } : {}),
      ...(sut.httpProxy ? { httpProxy: sut.httpProxy } : {}),
      ...(sut.socksProxy ? { socksProxy: sut.socksProxy } : {}),
    };
    // A hold scenario (many-connections) holds connections open instead of running the request loop.
    const holdPhase = config.hold ? await runHoldPhase(config, endpoints, { harness, sut }, options.signal) : undefined;
    const proxied = holdPhase ?? (await runPhase(config, endpoints, options, { harness, sut }));
    const direct = !holdPhase && config.directBaseline && !options.signal?.aborted
      ? await runPhase(config, endpoints, options, {}, 'direct')
      : undefined;
    const partial = proxied.interrupted || (options.signal?.aborted ?? false);
    const requests = [...proxied.kinds.values()].reduce((n, k) => n + k.counters.requests, 0);
    const sutResources = sut.monitor && sut.source
      ? sut.monitor.summarize({ source: sut.source, ...(sut.command ? { command: sut.command } : {}), ...(sut.startupMs !== undefined ? { startupMs: sut.startupMs } : {}), measuredRequests: requests })
      : null;
    const draft = buildReport({
      config,
      startedAtWallMs: proxied.startAtWallMs + config.warmupMs,
      proxied,
      ...(direct ? { direct } : {}),
      harness: { workers: 0, rssPeakMiB: 0, cpuPercent: 0, cpuUsPerRequest: 0, eventLoopDelayP99Ms: 0, saturated: false },
      sut: sutResources,
      partial,
      warnings: [],
    });
    const usage = proxied.usage ?? (await harness.stop());
    const harnessFigures = harnessResources(usage, proxied.health, requests, draft.load);
    const warnings = runWarnings({
      totals: draft.totals,
      load: draft.load,
      harness: harnessFigures,
      health: proxied.health,
      ...(usage.machineBusy !== undefined ? { machineBusy: usage.machineBusy } : {}),
      keepAlive: config.connectionPolicy === 'keep-alive',
      partial,
      ...(sut.monitor?.leakWarning() ? { sutLeak: sut.monitor.leakWarning()! } : {}),
    });
    stopping = true;
    if (sutExit) warnings.push({ code: 'sut_failed', message: sutExit });
    if (holdPhase) warnings.push(...holdPhase.warnings);
    const withHarness: Report = { ...draft, harness: harnessFigures, warnings, ...(holdPhase ? { held: holdPhase.held } : {}) };
    const report: Report = { ...withHarness, thresholds: evaluateThresholds(withHarness, thresholds) };
    if (options.out) await writeReportJson(options.out, report);
    return report;
  } finally {
    await harness.stop();
    await sut?.stop();
    await targets.close();
  }
}

/**
 * One load phase: plans the workers, runs them, and aggregates their batches. The harness and SUT
 * monitors (proxied phase only) are told when the measured part starts and ends.
 */
async function runPhase(
  config: RunConfig,
  endpoints: RunEndpoints,
  options: RunOptions,
  monitors: { harness?: HarnessMonitor; sut?: RunSut },
  protocolOverride?: Protocol,
): Promise<PhaseOutcome> {
  const plans = planWorkers(config, endpoints, protocolOverride);
  const aggregator = new Aggregator(config.scenario.mix.map((m) => m.name), plans.length);
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
      series: aggregator.finishSeries(),
      measuredMs,
      health: pool.health,
      ...(usage ? { usage } : {}),
      startAtWallMs,
      interrupted: pool.interrupted,
    };
  } finally {
    timers.forEach((t) => clearTimeout(t));
  }
}

/**
 * The report of a run whose SUT never came up: no figures, the SUT's error and stderr tail as a
 * warning, so a CI job that keeps the report file sees why (the CLI exits 3).
 */
function sutFailureReport(config: RunConfig, err: SutError): Report {
  const kinds = new Map(config.scenario.mix.map((m) => [m.name, { counters: emptyCounters(), histograms: emptyHistograms() }]));
  const report = buildReport({
    config,
    startedAtWallMs: Date.now(),
    proxied: { kinds, series: [], measuredMs: 1 },
    harness: { workers: 0, rssPeakMiB: 0, cpuPercent: 0, cpuUsPerRequest: 0, eventLoopDelayP99Ms: 0, saturated: false },
    sut: null,
    partial: true,
    warnings: [{ code: 'sut_failed', message: `${err.message}${err.stderrTail ? `\n${err.stderrTail}` : ''}` }],
  });
  return { ...report, durationMs: 0 };
}
