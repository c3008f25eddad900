import { compareReports, type Comparison } from '../../reports/compare/compare-reports.js';
import type { Report } from '../../reports/schema.js';
import type { Threshold } from '../../reports/thresholds/parse-threshold.js';
import { runExitCode } from '../../reports/verdict.js';
import { writeReportJson } from '../../reports/writers/json-file.js';
import { writeViews } from '../../reports/writers/write-views.js';
import { SutError } from '../../core/errors.js';
import { finishReport, sutFailureReport } from '../report-assembly/finish-report.js';
import { HarnessMonitor } from '../recorder/harness-monitor.js';
import { runHoldPhase } from './hold-phase.js';
import type { RunEndpoints } from '../workers/worker-plan.js';
import { resolveRunConfig, type RunConfig } from '../config/run-config.js';
import type { RunOptions } from '../config/run-options.js';
import { runPhase } from './phase.js';
import { preflight } from './preflight.js';
import { startRunSut, type RunSut } from './start-sut.js';
import { startRunTargets } from './start-targets.js';

/** A finished run and what it earned: the typed twin of `proxybench run`'s output and exit code. */
export interface RunVerdict {
  readonly report: Report;
  /** Present when `baseline` was given. */
  readonly comparison?: Comparison;
  /** The exit code `proxybench run` would end with (README's table). */
  readonly exitCode: number;
}

/**
 * Runs a scenario against a proxy and returns its report (the typed API of `proxybench run`).
 * Everything {@link runWithVerdict} does, for callers who judge the report themselves.
 */
export async function run(options: RunOptions): Promise<Report> {
  return (await runWithVerdict(options)).report;
}

/**
 * What `proxybench run` does, as a function: checks every option before any load (a usage error
 * is a `UsageError`, `PB_ERR_USAGE`, as on the command line), runs, writes the JSON report and the
 * views, compares with the baseline, and returns the verdict with its exit code.
 */
export async function runWithVerdict(options: RunOptions): Promise<RunVerdict> {
  const config = await resolveRunConfig(options);
  const checked = await preflight(config, options);
  const report = await measure(config, checked.thresholds, options);
  const comparison = checked.baseline ? compareReports(checked.baseline, report, { tolerances: checked.tolerances }) : undefined;
  await writeViews(report, options.views ?? {}, checked.baseline && comparison ? { baseline: checked.baseline, comparison } : undefined);
  return { report, ...(comparison ? { comparison } : {}), exitCode: runExitCode(report, comparison?.regressions ?? 0) };
}

/**
 * Starts the mock origins and the SUT (or attaches), drives the load from worker threads, builds
 * the report, evaluates thresholds, and writes the JSON when `out` is given. Everything it started
 * is stopped before it returns, whatever happens.
 */
async function measure(config: RunConfig, thresholds: readonly Threshold[], options: RunOptions): Promise<Report> {
  const targets = await startRunTargets(config);
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
    // The SUT's exit ends the load: requests to a dead port measure nothing, and backoff would
    // even keep the success rate high. The report keeps what was measured until then.
    const sutGone = new AbortController();
    void sut.exitedEarly?.then((message) => {
      if (stopping) return;
      sutExit = message;
      sutGone.abort();
    });
    const signal = options.signal ? AbortSignal.any([options.signal, sutGone.signal]) : sutGone.signal;
    const endpoints: RunEndpoints = {
      origins: { ...(targets.http ? { http: targets.http } : {}), ...(targets.https ? { https: targets.https } : {}) },
      streams: targets.streams,
      ...(targets.caPem ? { originCaPem: targets.caPem } : {}),
      proxies: sut.proxies,
    };
    // A hold scenario (many-connections) holds connections open instead of running the request loop.
    const holdPhase = config.hold ? await runHoldPhase(config, endpoints, { harness, sut }, signal, options.onProgress) : undefined;
    const proxied = holdPhase ?? (await runPhase(config, endpoints, { ...options, signal }, { harness, sut }));
    const proxiedFailures = 'workerFailures' in proxied ? proxied.workerFailures : [];
    const direct = !holdPhase && config.directBaseline && !signal.aborted && proxiedFailures.length === 0
      ? await runPhase(config, endpoints, { ...options, signal }, {}, 'direct')
      : undefined;
    stopping = true;
    const workerFailures = [...proxiedFailures, ...(direct?.workerFailures ?? [])];
    const sampling = sut.monitor?.samplingWarning();
    const requests = [...proxied.kinds.values()].reduce((n, k) => n + k.counters.requests, 0);
    const leak = sut.monitor?.leakFinding();
    const report = finishReport({
      config,
      drivenProxies: sut.proxies,
      proxied,
      ...(direct ? { direct } : {}),
      usage: proxied.usage ?? (await harness.stop()),
      sut: sut.monitor && sut.source
        ? sut.monitor.summarize({ source: sut.source, ...(sut.command ? { command: sut.command } : {}), ...(sut.startupMs !== undefined ? { startupMs: sut.startupMs } : {}), measuredRequests: requests })
        : null,
      ...(leak ? { sutLeak: leak } : {}),
      partial: proxied.interrupted || signal.aborted || workerFailures.length > 0,
      extraWarnings: [
        ...(sutExit ? [{ code: 'sut_failed' as const, message: sutExit }] : []),
        ...workerFailures.map((message) => ({ code: 'worker_failed' as const, message })),
        ...(sampling ? [sampling] : []),
        ...(holdPhase?.warnings ?? []),
      ],
      ...(holdPhase ? { held: holdPhase.held } : {}),
      thresholds,
    });
    if (options.out) await writeReportJson(options.out, report);
    return report;
  } finally {
    await harness.stop();
    await sut?.stop();
    await targets.close();
  }
}
