import { ERROR_CAUSES } from '../../../core/error-cause.js';
import type { AddedLatencyMs, EnvironmentInfo, HarnessResources, HeldConnections, Report, SutResources } from '../../schema.js';
import { overheadBasisText } from '../overhead-basis.js';
import { escapeHtml } from './escape.js';
import { formatCount, formatMs, formatRatio, formatSignificant } from './format.js';
import { htmlTable, keyValueTable, type TableCell } from './table.js';

/**
 * The context of a run as tables: errors by cause, the run and its load, the SUT's and the
 * harness's resources, thresholds, the direct-baseline overhead, environment and config.
 */

/** Failures by cause (rows) per kind and total (columns); `null` when nothing failed in either report. */
export function errorTable(report: Report, baseline?: Report): string | null {
  const kinds = Object.keys(report.byKind);
  const causes = ERROR_CAUSES.filter((c) => (report.totals.errors[c] ?? 0) > 0 || (baseline?.totals.errors[c] ?? 0) > 0);
  if (causes.length === 0) return null;
  const headers = ['cause', ...kinds, 'total', ...(baseline ? ['total (before)'] : [])];
  const rows = causes.map((cause): TableCell[] => [
    { text: cause, className: 'key' },
    ...kinds.map((k) => formatCount(report.byKind[k]?.errors[cause] ?? 0)),
    { text: formatCount(report.totals.errors[cause] ?? 0), className: 'total' },
    ...(baseline ? [formatCount(baseline.totals.errors[cause] ?? 0)] : []),
  ]);
  return htmlTable(headers, rows);
}

/** The run: scenario, timing and load model as run. */
export function runTable(report: Report): string {
  const load = report.load;
  const loadRows: [string, string][] =
    load.model === 'closed'
      ? [['load model', `closed, ${formatCount(load.concurrency)} in flight`], ['achieved', `${formatSignificant(load.achievedRps)} req/s`]]
      : [
          ['load model', 'open (latency from intended start)'],
          ['offered / achieved', `${formatSignificant(load.offeredRps)} / ${formatSignificant(load.achievedRps)} req/s`],
          ['max in flight', formatCount(load.maxInFlight)],
          ['schedule kept', load.scheduleKept ? 'yes' : 'NO'],
        ];
  const t = report.totals;
  return keyValueTable([
    ['scenario', report.scenario],
    ['tool', `${report.tool.name} ${report.tool.version} (report schema ${report.schemaVersion})`],
    ['started', report.startedAt],
    ['measured', `${formatSignificant(report.durationMs / 1000)} s (warm-up ${formatSignificant(report.warmupMs / 1000)} s excluded)`],
    ['partial', report.partial ? 'YES: interrupted before the end' : 'no'],
    ...(report.shards ? [['shards', report.shards.map((s) => `${s.index + 1}/${s.count}`).join(', ')] as [string, string]] : []),
    ...loadRows,
    ['late / dropped', `${formatCount(t.late)} / ${formatCount(t.dropped)}`],
    ['backoffs / stale retries', `${formatCount(t.backoffs)} / ${formatCount(t.staleRetries)}`],
  ]);
}

/** The SUT's resources as summarised in the report. */
export function sutTable(sut: SutResources): string {
  return keyValueTable([
    ['source', `${sut.source}, pid ${sut.pid}`],
    ...(sut.command === undefined ? [] : [['command', sut.command] as [string, string]]),
    ...(sut.startupMs === undefined ? [] : [['startup to ready', formatMs(sut.startupMs)] as [string, string]]),
    ['RSS start / mean / peak / end', [sut.rssMiB.start, sut.rssMiB.mean, sut.rssMiB.peak, sut.rssMiB.end].map(formatSignificant).join(' / ') + ' MiB'],
    ['RSS slope', `${formatSignificant(sut.rssSlopeMiBPerMin)} MiB/min (R² ${formatSignificant(sut.rssSlopeR2)})`],
    ['CPU mean / peak', `${formatSignificant(sut.cpuPercent.mean)} / ${formatSignificant(sut.cpuPercent.peak)} % of one core`],
    ['CPU per 1000 requests', formatMs(sut.cpuMsPer1kRequests)],
    ['fds / threads peak', `${formatCount(sut.fdsPeak)} / ${formatCount(sut.threadsPeak)}`],
    ['samples', formatCount(sut.samples.length)],
  ]);
}

/** The harness's own resources (was the generator the limit?). */
export function harnessTable(harness: HarnessResources): string {
  return keyValueTable([
    ['workers', formatCount(harness.workers)],
    ['RSS peak', `${formatSignificant(harness.rssPeakMiB)} MiB`],
    ['CPU', `${formatSignificant(harness.cpuPercent)} % of one core (${formatSignificant(harness.cpuUsPerRequest)} µs per request)`],
    ['event-loop delay p99', formatMs(harness.eventLoopDelayP99Ms)],
    ['saturated', harness.saturated ? 'YES: the harness was likely the limit' : 'no'],
  ]);
}

/** Thresholds with their measured values; `null` when the run had none. */
export function thresholdsTable(report: Report): string | null {
  if (report.thresholds.length === 0) return null;
  const rows = report.thresholds.map((t): TableCell[] => [
    { text: t.expression, className: 'key' },
    t.value === null ? 'not measured' : formatSignificant(t.value),
    `${t.op} ${formatSignificant(t.limit)}`,
    { text: t.passed ? 'passed' : 'FAILED', className: t.passed ? 'better' : 'worse' },
  ]);
  return htmlTable(['threshold', 'measured', 'limit', 'result'], rows);
}

/**
 * What the proxy added over going direct, per kind: the chosen figure and its basis, then the plain
 * difference of latency percentiles beside it; `null` without `--direct-baseline`.
 */
export function overheadTable(report: Report): string | null {
  const overhead = report.directBaseline?.overheadByKind;
  if (overhead === undefined || Object.keys(overhead).length === 0) return null;
  const ms = (added: AddedLatencyMs | undefined): string[] => (added ? [added.p50, added.p90, added.p99].map(formatMs) : ['—', '—', '—']);
  const rows = Object.entries(overhead).map(([kind, o]): TableCell[] => [
    { text: kind, className: 'key' },
    ...ms(o.latencyAddedMs),
    overheadBasisText(o),
    ...ms(o.latencyAddedGrossMs),
    `${formatSignificant(o.throughputRatio)} ×`,
  ]);
  return htmlTable(['kind', 'added p50', 'added p90', 'added p99', 'basis', 'gross p50', 'gross p90', 'gross p99', 'rps vs direct'], rows);
}

/** A hold run (many-connections): what was opened and held, why the rest failed, and what it cost the proxy. */
export function heldTable(held: HeldConnections): string {
  const causes = Object.entries(held.errors).map(([cause, n]) => `${cause} ${formatCount(n)}`).join(', ');
  const phase = (name: string, s: HeldConnections['phasesMs']['connect']): [string, string] =>
    [`${name} p50 / p99`, s.count === 0 ? '—' : `${formatMs(s.p50)} / ${formatMs(s.p99)}`];
  return keyValueTable([
    ['connections', `${formatCount(held.established)} of ${formatCount(held.target)} ${held.protocol} to the ${held.origin} origin established`],
    ['failed to open', `${formatCount(held.failed)}${causes ? ` (${causes})` : ''}`],
    ['closed early', formatCount(held.closedEarly)],
    ['opening / held', `${formatMs(held.openingMs)} / ${formatMs(held.holdMs)}`],
    ...(held.trickle ? [['trickle', `every ${formatMs(held.trickle.intervalMs)}: ${formatCount(held.trickle.ok)} ok, ${formatCount(held.trickle.failed)} failed`] as [string, string]] : []),
    ['proxy RSS before / held', held.sutRssBaselineMiB === null || held.sutRssHeldMiB === null ? '— (no SUT sampled)' : `${formatSignificant(held.sutRssBaselineMiB)} / ${formatSignificant(held.sutRssHeldMiB)} MiB`],
    ['proxy RSS per 1,000 held', held.sutRssPerThousandMiB === null ? '—' : `${formatSignificant(held.sutRssPerThousandMiB)} MiB`],
    phase('connect', held.phasesMs.connect),
    phase('proxy handshake', held.phasesMs.proxyHandshake),
    phase('TLS', held.phasesMs.tls),
    ...(held.hint ? [['harness limit', held.hint] as [string, string]] : []),
  ]);
}

/** The machine the run was measured on. */
export function environmentTable(env: EnvironmentInfo): string {
  return keyValueTable([
    ['node', env.node],
    ['os', `${env.platform} ${env.arch} ${env.osRelease}`],
    ['cpus', `${env.cpus} × ${env.cpuModel}`],
    ['memory', `${formatCount(env.totalMemoryMiB)} MiB`],
  ]);
}

/** The resolved config as indented JSON (passwords were redacted when the report was written). */
export function configBlock(config: Readonly<Record<string, unknown>>): string {
  return `<pre class="config">${escapeHtml(JSON.stringify(config, null, 2))}</pre>`;
}

/** Warnings and the partial-run banner, shown before anything else; `''` when there are none. */
export function warningsBlock(report: Report): string {
  const items = report.warnings.map((w) => `<li><code>${escapeHtml(w.code)}</code> ${escapeHtml(w.message)}</li>`);
  if (report.partial && !report.warnings.some((w) => w.code === 'partial')) {
    items.unshift('<li><code>partial</code> The run was interrupted: figures cover only part of it.</li>');
  }
  if (items.length === 0) return '';
  return `<section class="warnings" id="warnings"><h2>Warnings (${items.length})</h2><ul>${items.join('')}</ul></section>`;
}

/** One line of the total's figures (requests, success, req/s, p99) for the page's header. */
export function headerSummary(report: Report): string {
  const t = report.totals;
  return `${formatCount(t.requests)} requests · ${formatRatio(t.successRate)} success · ${formatSignificant(t.rps)} req/s · p99 ${t.latencyMs.count === 0 ? '—' : formatMs(t.latencyMs.p99)}`;
}
