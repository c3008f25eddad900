import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { isTolerance, ToleranceTable } from '../../reports/compare/tolerances.js';
import { readReport } from '../../reports/read-report.js';
import type { Report } from '../../reports/schema.js';
import { checkThresholdsApply, messageKindsOf } from '../../reports/thresholds/check-applicable.js';
import { parseThreshold, type Threshold } from '../../reports/thresholds/parse-threshold.js';
import type { RunConfig } from '../config/run-config.js';
import { proxiesOf, proxyKindsNeeded } from '../../core/proxy-set.js';
import { formatProxyEndpoint } from '../../core/proxy-url.js';
import type { RunOptions } from '../config/run-options.js';

/** What a run needs decided before its load starts, all of it checked. */
export interface Preflight {
  /** Absolute gates, the scenario's then the caller's. */
  readonly thresholds: readonly Threshold[];
  /** Tolerances against the baseline as written (`p99:+5%`), already checked; empty without one. */
  readonly tolerances: readonly string[];
  readonly baseline?: Report;
}

/**
 * Everything about a run that can be wrong before its load starts is checked here, for the CLI and
 * the typed API alike: a threshold with a typo or one the run cannot measure, a tolerance without
 * a baseline, a baseline of another scenario, an output path that cannot be written. A mistake
 * costs a one-line usage error, never a finished run whose verdict is lost.
 *
 * @throws UsageError naming the flag or field
 */
export async function preflight(config: RunConfig, options: RunOptions): Promise<Preflight> {
  const given = [...config.thresholds];
  const toleranceTexts = given.filter(isTolerance);
  if (toleranceTexts.length > 0 && options.baseline === undefined) {
    throw new UsageError('--threshold', `'${toleranceTexts[0]}' is a tolerance against a baseline: add --baseline FILE, or write a gate such as 'p99<50ms'`);
  }
  const thresholds = given.filter((t) => !isTolerance(t)).map((t) => parseThreshold(t, '--threshold'));
  checkThresholdsApply(thresholds, {
    scenario: config.scenario.name,
    kinds: config.scenario.mix.map((entry) => entry.kind),
    messageKinds: messageKindsOf(config.scenario.mix),
    sutSampled: config.embeddedProxies || config.sut !== undefined,
    holds: config.hold !== undefined,
    ...(config.embeddedProxies ? {} : { proxies: proxiesOf(config.proxies).map(formatProxyEndpoint) }),
    proxyCount: config.embeddedProxies ? proxyKindsNeeded(config.scenario).size : config.proxies.members.length,
  });
  // Parsed here only to refuse a bad one before the load; compareReports takes them as written.
  new ToleranceTable(toleranceTexts);
  await checkOutputs(options);
  const baseline = options.baseline === undefined ? undefined : await readBaseline(options.baseline, config);
  return { thresholds, tolerances: toleranceTexts, ...(baseline ? { baseline } : {}) };
}

/** The files a run writes, by the flag that names them. */
function outputsOf(options: RunOptions): [flag: string, path: string][] {
  const views = options.views ?? {};
  const named: [string, string | undefined][] = [['--out', options.out], ['--md', views.markdown], ['--junit', views.junit], ['--html', views.html]];
  return named.filter((entry): entry is [string, string] => entry[1] !== undefined);
}

/** Each output is a distinct file whose folder exists and may be written. */
async function checkOutputs(options: RunOptions): Promise<void> {
  const seen = new Map<string, string>();
  for (const [flag, path] of outputsOf(options)) {
    const absolute = resolve(path);
    const other = seen.get(absolute);
    if (other) throw new UsageError(flag, `writes to ${path}, which ${other} writes too; give each output its own file`);
    seen.set(absolute, flag);
    const info = await stat(absolute).catch(() => undefined);
    if (info?.isDirectory()) throw new UsageError(flag, `${path} is a folder; give a file path such as ${path.replace(/\/$/, '')}/report.json`);
    const folder = dirname(absolute);
    const folderInfo = await stat(folder).catch(() => undefined);
    if (!folderInfo?.isDirectory()) throw new UsageError(flag, `cannot write ${path}: the folder ${folder} does not exist; create it first`);
    try {
      await access(folder, constants.W_OK);
    } catch {
      throw new UsageError(flag, `cannot write ${path}: the folder ${folder} is not writable`);
    }
  }
}

/** The baseline report, which must be one of the same scenario (a comparison of two different mixes means nothing). */
async function readBaseline(path: string, config: RunConfig): Promise<Report> {
  const baseline = await readReport(path);
  if (baseline.scenario !== config.scenario.name) {
    throw new UsageError('--baseline', `${path} is a report of scenario '${baseline.scenario}', but this run is '${config.scenario.name}'; give a baseline of the same scenario`);
  }
  return baseline;
}
