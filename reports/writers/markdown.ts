import type { ErrorCause } from '../../core/error-cause.js';
import { formatDurationMs } from '../../core/units.js';
import type { Comparison, MetricComparison } from '../compare/compare-reports.js';
import { metricLabel, metricValueText, pValueText } from '../compare/metric-label.js';
import { messageRowsOf } from '../message-figures.js';
import { formatNumber, formatQuantity } from '../metric-units.js';
import { HELD_PHASES, type AddedLatencyMs, type HeldConnections, type Report, type Stats, type ThresholdResult } from '../schema.js';
import { overheadBasisText } from './overhead-basis.js';
import { verificationNote } from './verification-note.js';

/**
 * A Markdown summary that reads well as a pull-request comment or in `$GITHUB_STEP_SUMMARY`: the
 * results table, SUT resources, thresholds, warnings and, with a comparison, its verdicts (the
 * changed metrics up front, every compared metric in a collapsed section).
 */
export function renderMarkdown(report: Report, comparison?: Comparison): string {
  const sections = [
    `### proxybench · ${escape(report.scenario)}${report.partial ? ' (partial: interrupted)' : ''}`,
    headline(report),
    report.held ? heldSection(report.held) : '',
    // An idle hold run makes no requests: its results table would be all zeros.
    report.held && report.totals.requests === 0 ? '' : resultsTable(report),
    messagesSection(report),
    overheadSection(report),
    sutParagraph(report),
    thresholdsSection(report),
    comparison ? comparisonSection(comparison) : '',
    report.warnings.map((w) => `> ⚠️ ${escape(w.message)}`).join('\n'),
  ];
  return `${sections.filter((s) => s !== '').join('\n\n')}\n`;
}

/** Escapes what would break a table cell or start Markdown syntax. */
function escape(text: string): string {
  return text.replace(/[\\|`*_<>[\]]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

function tableOf(head: readonly string[], align: string, rows: readonly (readonly string[])[]): string {
  return [`| ${head.join(' | ')} |`, `|${align}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function headline(report: Report): string {
  const load = report.held
    ? `holding ${report.held.target} ${report.held.protocol} connections`
    : report.load.model === 'closed'
      ? `closed model, ${report.load.concurrency} in flight`
      : `open model, ${formatNumber(report.load.offeredRps)} req/s offered${report.load.scheduleKept ? '' : ' (schedule **not kept**)'}`;
  const warmup = report.warmupMs > 0 ? ` after ${formatDurationMs(report.warmupMs)} warm-up` : '';
  return `**${formatDurationMs(Math.round(report.durationMs))}** measured${warmup} · ${load} · started ${report.startedAt} · proxybench ${escape(report.tool.version)}`;
}

function statsRow(label: string, s: Stats): string[] {
  const latency = [s.latencyMs.p50, s.latencyMs.p90, s.latencyMs.p99, s.latencyMs.max].map((v) => (s.latencyMs.count > 0 ? formatNumber(v) : '–'));
  const errors = (Object.entries(s.errors) as [ErrorCause, number][]).map(([cause, n]) => `${cause} ${n}`).join(', ');
  return [label, String(s.requests), formatQuantity('ratio', s.successRate), formatNumber(s.rps), formatNumber(s.throughputMbps), ...latency, errors];
}

function resultsTable(report: Report): string {
  const rows = Object.entries(report.byKind).map(([kind, s]) => statsRow(escape(`${kind}${verificationNote(s)}`), s));
  rows.push(statsRow('**total**', report.totals));
  const proxies = Object.entries(report.byProxy ?? {});
  if (proxies.length > 1) rows.push(...proxies.map(([url, s]) => statsRow(`proxy ${escape(url)}`, s)));
  return tableOf(
    ['', 'requests', 'success', 'req/s', 'Mbps', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'errors'],
    '---|---:|---:|---:|---:|---:|---:|---:|---:|---',
    rows,
  );
}

/** Kinds that exchanged messages: counts, echoes per second, loss and RTT; nothing for an HTTP-only report. */
function messagesSection(report: Report): string {
  const rows = messageRowsOf(report).map(([kind, m]) => [
    kind === 'total' ? '**total**' : escape(kind),
    String(m.messages.sent), String(m.messages.received), String(m.messages.lost), formatQuantity('ratio', m.lossRate),
    formatNumber(m.messagesPerSecond),
    ...[m.rttMs.p50, m.rttMs.p99, m.rttMs.max].map((v) => (m.rttMs.count > 0 ? formatNumber(v) : '–')),
    String(m.messages.reordered), String(m.messages.duplicates),
  ]);
  if (rows.length === 0) return '';
  const head = ['', 'sent', 'received', 'lost', 'loss', 'msg/s', 'rtt p50 ms', 'rtt p99 ms', 'rtt max ms', 'reordered', 'duplicates'];
  return `#### Messages

${tableOf(head, '---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:', rows)}`;
}

/** `--direct-baseline`: the proxy's added latency per kind, its basis, and the plain difference. */
function overheadSection(report: Report): string {
  const overhead = Object.entries(report.directBaseline?.overheadByKind ?? {});
  if (overhead.length === 0) return '';
  const ms = (added: AddedLatencyMs | undefined): string[] => (added ? [added.p50, added.p90, added.p99].map(formatNumber) : ['–', '–', '–']);
  const rows = overhead.map(([kind, o]) => [
    escape(kind), ...ms(o.latencyAddedMs), overheadBasisText(o), ...ms(o.latencyAddedGrossMs), `${formatNumber(o.throughputRatio)}×`,
  ]);
  const head = ['', 'added p50 ms', 'p90 ms', 'p99 ms', 'basis', 'gross p50 ms', 'gross p90 ms', 'gross p99 ms', 'req/s vs direct'];
  return `#### Proxy overhead vs direct\n\n${tableOf(head, '---|---:|---:|---:|---|---:|---:|---:|---:', rows)}`;
}

/** A hold run (many-connections): connections held, failures by cause, the proxy's cost per 1,000, setup phases. */
function heldSection(held: HeldConnections): string {
  const causes = (Object.entries(held.errors) as [ErrorCause, number][]).map(([cause, n]) => `${cause} ${n}`).join(', ');
  const trickle = held.trickle ? ` · trickle every ${formatDurationMs(held.trickle.intervalMs)}: ${held.trickle.ok} ok, ${held.trickle.failed} failed` : '';
  const rss = held.sutRssPerThousandMiB !== null ? ` · proxy RSS **${formatQuantity('mib', held.sutRssPerThousandMiB)} per 1,000 held**` : '';
  const line =
    `**Held:** ${held.established}/${held.target} ${held.protocol} connections to the ${held.origin} origin established, ` +
    `${held.failed} failed${causes ? ` (${escape(causes)})` : ''}, ${held.closedEarly} closed early · opened in ${formatDurationMs(Math.round(held.openingMs))}, ` +
    `held ${formatDurationMs(Math.round(held.holdMs))}${trickle}${rss}`;
  const rows = HELD_PHASES
    .filter((phase) => held.phasesMs[phase].count > 0)
    .map((phase) => {
      const s = held.phasesMs[phase];
      return [phase, String(s.count), ...[s.p50, s.p90, s.p99, s.max].map(formatNumber)];
    });
  const table = rows.length > 0 ? `\n\n${tableOf(['setup', 'count', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'], '---|---:|---:|---:|---:|---:', rows)}` : '';
  return `${line}${held.hint ? `\n\n> ${escape(held.hint)}` : ''}${table}`;
}

function sutParagraph(report: Report): string {
  const sut = report.sut;
  if (!sut) return '';
  return (
    `**SUT** (${sut.source}): RSS peak ${formatQuantity('mib', sut.rssPeakMiB)}, slope ${formatNumber(sut.rssSlopeMiBPerMin)} MiB/min · ` +
    `CPU ${formatNumber(sut.cpuPercentMean)}% mean, ${formatNumber(sut.cpuMsPer1kRequests)} ms per 1k requests · ` +
    `**harness**: RSS peak ${formatQuantity('mib', report.harness.rssPeakMiB)}, CPU ${formatNumber(report.harness.cpuPercent)}%`
  );
}

function thresholdsSection(report: Report): string {
  if (report.thresholds.length === 0) return '';
  const failed = report.thresholds.filter((t) => !t.passed).length;
  const rows = report.thresholds.map((t) => [t.passed ? '✅' : '❌', `\`${t.expression.replace(/`/g, "'")}\``, measuredText(t)]);
  const title = failed > 0 ? `#### Thresholds: ${failed} of ${report.thresholds.length} failed` : `#### Thresholds: all ${report.thresholds.length} passed`;
  return `${title}\n\n${tableOf(['', 'threshold', 'measured'], '---|---|---:', rows)}`;
}

/** The measured value and why it failed regardless; a figure not measured shows its reason alone. */
function measuredText(t: ThresholdResult): string {
  if (t.value === null) return escape(t.reason ?? 'not measured');
  return `${metricValueText(t.metric, t.value)}${t.reason !== undefined ? ` — ${t.reason}` : ''}`;
}

function comparisonRows(metrics: readonly MetricComparison[]): string[][] {
  const mark = { regression: '🔴 regression', improvement: '🟢 improvement', 'no change': 'no change' } as const;
  return metrics.map((m) => [
    escape(m.scope),
    escape(metricLabel(m.metric)),
    metricValueText(m.metric, m.before),
    metricValueText(m.metric, m.after),
    m.changeText,
    m.tolerance,
    pValueText(m.pValue, m.significant),
    mark[m.verdict],
  ]);
}

function comparisonSection(comparison: Comparison): string {
  const head = ['scope', 'metric', 'before', 'after', 'change', 'tolerance', 'p', 'verdict'];
  const align = '---|---|---:|---:|---:|---:|---:|---';
  const { regressions, improvements } = comparison;
  const changed = comparison.metrics.filter((m) => m.verdict !== 'no change');
  const base = comparison.baseline;
  const parts = [
    `#### Compared with baseline (${escape(base.scenario)}, started ${base.startedAt}, proxybench ${escape(base.version)})`,
    `${regressions > 0 ? `**${regressions} regression(s)**` : 'No regression'}, ${improvements} improvement(s) at significance level ${comparison.alpha}.`,
    changed.length > 0 ? tableOf(head, align, comparisonRows(changed)) : '',
    `<details><summary>All ${comparison.metrics.length} compared metrics</summary>\n\n${tableOf(head, align, comparisonRows(comparison.metrics))}\n\n</details>`,
    comparison.notes.map((n) => `> ${escape(n)}`).join('\n'),
  ];
  return parts.filter((p) => p !== '').join('\n\n');
}
