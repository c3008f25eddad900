/**
 * proxybench's typed API: everything the CLI does is reachable from here, with the same checks and
 * errors (docs/architecture.md).
 *
 * ```ts
 * import { run, compareReports, readReport } from 'proxybench';
 * const report = await run({ scenario: 'http-mixed', proxies: ['http://127.0.0.1:3128'], durationMs: 10_000 });
 * ```
 */
export { run, runWithVerdict, type RunVerdict } from './harness/run/run.js';
export { serveTargets, type ServedTargets, type TargetsOptions } from './harness/run/serve-targets.js';
export { parseTargetsDescription, type TargetsDescription } from './core/targets-description.js';
export type { RunOptions, RunProgress, SutOptions, ProxyOption } from './harness/config/run-options.js';
export { RUN_DEFAULTS, type RunConfig } from './harness/config/run-config.js';
export { BUILT_IN_SCENARIOS, builtInScenario } from './scenarios/catalog.js';
export { loadScenario } from './scenarios/load-scenario.js';
export { validateScenario } from './scenarios/validate-scenario.js';
export type { UserTarget } from './core/user-target.js';
export type { Scenario, HoldSpec, RequestMixEntry, RequestOperation, Protocol, Stage, ScenarioDefaults, ConnectionPolicy } from './core/scenario.js';
export { parseProxyUrl, formatProxyEndpoint, type ProxyEndpoint, type ProxyCredentials } from './core/proxy-url.js';
export { parseProxySet, proxyFor, type ProxySet, type PoolMember } from './core/proxy-set.js';
export { PROXY_PICKS, type ProxyPick } from './core/proxy-pick.js';
export { parseDurationMs, parseSizeBytes } from './core/units.js';
export { parseStages } from './core/stages.js';
export { BACKOFF_DEFAULTS, backoffDelayMs, type BackoffOptions } from './harness/load/backoff.js';
export { ERROR_CAUSES, type ErrorCause } from './core/error-cause.js';
export { ProxybenchError, UsageError, ReportError, SutError, SetupError, EXIT_CODES, type ProxybenchErrorCode } from './core/errors.js';
export * from './reports/schema.js';
export { readReport, parseReport } from './reports/read-report.js';
export { writeReportJson, writeFileAtomic } from './reports/writers/json-file.js';
export { writeViews, type ViewPaths } from './reports/writers/write-views.js';
export { runExitCode } from './reports/verdict.js';
export { compareFiles, type CompareFilesOptions, type CompareOutcome } from './reports/compare/compare-files.js';
export { writeReportViews, type ReportViewsOptions, type WrittenView } from './reports/writers/report-views.js';
export { formatRunSummary } from './reports/writers/console-summary.js';
export { renderMarkdown } from './reports/writers/markdown.js';
export { renderJunit } from './reports/writers/junit.js';
export { renderHtmlReport } from './reports/writers/html.js';
export * from './reports/compare/index.js';
export * from './reports/thresholds/index.js';
export { mergeReports } from './reports/merge-reports.js';
export { mergeFiles, type MergeFilesOptions } from './reports/merge-files.js';
export { encodeHistogram, decodeHistogram, summarize } from './reports/histogram-codec.js';
export { startOrigin, type RunningOrigin } from './mock-targets/origins/http-origin.js';
export { startReferenceProxies, type RunningReferenceProxies } from './mock-targets/proxies/reference-proxies.js';
