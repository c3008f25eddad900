import type { Report } from '../../reports/schema.js';
import { parseThreshold } from '../../reports/thresholds/parse-threshold.js';
import { writeReportJson } from '../../reports/writers/json-file.js';
import { SutError } from '../../core/errors.js';
import { finishReport, sutFailureReport } from '../report-assembly/finish-report.js';
import { HarnessMonitor } from '../recorder/harness-monitor.js';
import { runHoldPhase } from './hold-phase.js';
import type { RunEndpoints } from '../workers/worker-plan.js';
import { resolveRunConfig } from '../config/run-config.js';
import type { RunOptions } from '../config/run-options.js';
import { runPhase } from './phase.js';
import { startRunSut, type RunSut } from './start-sut.js';
import { startRunTargets } from './start-targets.js';

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
      proxies: sut.proxies,
    };
    // A hold scenario (many-connections) holds connections open instead of running the request loop.
    const holdPhase = config.hold ? await runHoldPhase(config, endpoints, { harness, sut }, options.signal, options.onProgress) : undefined;
    const proxied = holdPhase ?? (await runPhase(config, endpoints, options, { harness, sut }));
    const direct = !holdPhase && config.directBaseline && !options.signal?.aborted
      ? await runPhase(config, endpoints, options, {}, 'direct')
      : undefined;
    stopping = true;
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
      partial: proxied.interrupted || (options.signal?.aborted ?? false),
      extraWarnings: [...(sutExit ? [{ code: 'sut_failed' as const, message: sutExit }] : []), ...(holdPhase?.warnings ?? [])],
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
