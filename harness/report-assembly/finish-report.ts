import type { HeldConnections, Report, ReportWarning, SutResources } from '../../reports/schema.js';
import { emptyCounters, emptyHistograms } from '../../reports/stats.js';
import { evaluateThresholds } from '../../reports/thresholds/evaluate-thresholds.js';
import type { Threshold } from '../../reports/thresholds/parse-threshold.js';
import type { SutError } from '../../core/errors.js';
import { isStreamOperation } from '../../core/scenario.js';
import { buildReport, type PhaseOutcome, type PhaseResult } from './build-report.js';
import type { HarnessUsage } from '../recorder/harness-monitor.js';
import type { RunConfig } from '../config/run-config.js';
import type { ProxySet } from '../../core/proxy-set.js';
import { harnessResources, runWarnings } from './warnings.js';

/** What a finished run hands over to become its report. */
export interface FinishedRun {
  readonly config: RunConfig;
  /** The proxies the run went through (the embedded ones' addresses once started). */
  readonly drivenProxies: ProxySet;
  readonly proxied: PhaseOutcome;
  readonly direct?: PhaseResult;
  readonly usage: HarnessUsage;
  readonly sut: SutResources | null;
  readonly sutLeak?: ReportWarning;
  readonly partial: boolean;
  /** Findings of the run itself (the SUT exited, harness limits of a hold phase). */
  readonly extraWarnings: readonly ReportWarning[];
  readonly held?: HeldConnections;
  readonly thresholds: readonly Threshold[];
}

/**
 * Turns a finished run into its report: the figures, the harness's own resources and whether it
 * was the bottleneck, the warnings, and the thresholds evaluated on the result.
 */
export function finishReport(run: FinishedRun): Report {
  const { config, proxied } = run;
  const requests = [...proxied.kinds.values()].reduce((n, k) => n + k.counters.requests, 0);
  const draft = buildReport({
    config,
    drivenProxies: run.drivenProxies,
    startedAtWallMs: proxied.startAtWallMs + config.warmupMs,
    proxied,
    ...(run.direct ? { direct: run.direct } : {}),
    harness: { workers: 0, rssPeakMiB: 0, cpuPercent: 0, cpuUsPerRequest: 0, eventLoopDelayP99Ms: 0, saturated: false },
    sut: run.sut,
    partial: run.partial,
    warnings: [],
  });
  const harness = harnessResources(run.usage, proxied.health, requests);
  const warnings = [
    ...runWarnings({
      totals: draft.totals,
      load: draft.load,
      harness,
      health: proxied.health,
      ...(run.usage.machineBusy !== undefined ? { machineBusy: run.usage.machineBusy } : {}),
      // A stream exchange opens its own connection by design: only HTTP requests can reuse one.
      keepAlive: config.connectionPolicy === 'keep-alive' && config.scenario.mix.some((entry) => !isStreamOperation(entry.operation)),
      partial: run.partial,
      ...(run.sutLeak ? { sutLeak: run.sutLeak } : {}),
    }),
    ...run.extraWarnings,
  ];
  const report: Report = { ...draft, harness, warnings, ...(run.held ? { held: run.held } : {}) };
  return { ...report, thresholds: evaluateThresholds(report, run.thresholds) };
}

/**
 * The report of a run whose SUT never came up: no figures, the SUT's error and stderr tail as a
 * warning, so a CI job that keeps the report file sees why (the CLI exits 3).
 */
export function sutFailureReport(config: RunConfig, err: SutError): Report {
  const kinds = new Map(config.scenario.mix.map((m) => [m.kind, { counters: emptyCounters(), histograms: emptyHistograms() }]));
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
