import Table from 'cli-table3';
import type { ErrorCause } from '../../core/error-cause.js';
import { formatDurationMs } from '../../core/units.js';
import { messageRowsOf, type MessageFigures } from '../message-figures.js';
import { formatNumber, formatQuantity } from '../metric-units.js';
import type { AddedLatencyMs, HeldConnections, LatencySummary, Report, Stats } from '../schema.js';
import { painter } from './ansi.js';
import { overheadBasis, overheadBasisText } from './overhead-basis.js';
import { formatThresholdLines } from './threshold-lines.js';
import { verificationNote } from './verification-note.js';

type Paint = ReturnType<typeof painter>;

/**
 * The run's console summary: a header line, a table with one row per request kind, the total,
 * (when more than one protocol ran) one row per protocol and (when more than one proxy) one per proxy, then phases, harness and SUT resources,
 * thresholds and warnings in plain words. Latencies in ms, throughput in Mbps.
 *
 * @param options.color ANSI colours, only when asked (the caller checks for a TTY and NO_COLOR)
 */
export function formatRunSummary(report: Report, options: { color?: boolean } = {}): string {
  const paint = painter(options.color ?? false);
  return [
    headerLine(report),
    // An idle hold run makes no requests: an all-zero table would only hide the held: line.
    report.held && report.totals.requests === 0 ? '' : statsTable(report, paint, options.color ?? false),
    phasesLine('phases', report.totals.phasesMs, report.config.connectionPolicy === 'new-per-request' ? report.totals.connections.perSecond : undefined),
    ...messageRowsOf(report).map(([kind, figures]) => messagesLine(kind, figures)),
    ...heldLines(report.held),
    ...overheadLines(report),
    harnessLine(report),
    sutLine(report),
    ...formatThresholdLines(report.thresholds, options),
    ...report.warnings.map((w) => paint('yellow', `warning: ${w.message}`)),
  ]
    .filter((line) => line !== '')
    .join('\n');
}

function headerLine(report: Report): string {
  const load = report.held
    ? `holding ${report.held.target} ${report.held.protocol} connections`
    : report.load.model === 'closed'
      ? `closed model, ${report.load.concurrency} in flight`
      : `open model, ${formatNumber(report.load.offeredRps)} req/s offered, ${formatNumber(report.load.achievedRps)} achieved` +
        (report.load.scheduleKept ? '' : ' (schedule not kept)');
  const warmup = report.warmupMs > 0 ? ` after ${formatDurationMs(report.warmupMs)} warm-up` : '';
  const shards = report.shards && report.shards.length > 0 ? `, ${report.shards.length} shard(s) merged` : '';
  const partial = report.partial ? ' — PARTIAL (interrupted)' : '';
  return `proxybench ${report.tool.version} · ${report.scenario} · ${formatDurationMs(Math.round(report.durationMs))} measured${warmup} · ${load}${shards}${partial}`;
}

function statsTable(report: Report, paint: Paint, color: boolean): string {
  const table = new Table({
    head: ['', 'requests', 'success', 'req/s', 'Mbps', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'top errors'],
    style: { head: color ? ['cyan'] : [], border: [] },
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
  });
  const kinds = Object.entries(report.byKind);
  for (const [kind, stats] of kinds) table.push(row(`${kind}${verificationNote(stats)}`, stats, paint));
  table.push(row(paint('bold', 'total'), report.totals, paint));
  const protocols = Object.entries(report.byProtocol).filter((entry): entry is [string, Stats] => entry[1] !== undefined);
  if (protocols.length > 1) for (const [protocol, stats] of protocols) table.push(row(`via ${protocol}`, stats, paint));
  // A pool: one row per proxy (with one proxy per kind its row would repeat the protocol's).
  const proxies = Object.entries(report.byProxy ?? {});
  if (proxies.length > 1) for (const [url, stats] of proxies) table.push(row(`proxy ${url}`, stats, paint));
  return table.toString();
}

function row(label: string, stats: Stats, paint: Paint): string[] {
  const success = formatQuantity('ratio', stats.successRate);
  const l = stats.latencyMs;
  return [
    label,
    String(stats.requests),
    stats.requests > 0 && stats.successRate < 1 ? paint('yellow', success) : success,
    formatNumber(stats.rps),
    formatNumber(stats.throughputMbps),
    ...[l.p50, l.p90, l.p99, l.max].map((v) => (l.count > 0 ? formatNumber(v) : '–')),
    topErrors(stats.errors),
  ];
}

/** The two most frequent causes, e.g. `timeout 12, reset 3 (+1 more)`. */
function topErrors(errors: Stats['errors']): string {
  const sorted = (Object.entries(errors) as [ErrorCause, number][]).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  const shown = sorted.slice(0, 2).map(([cause, n]) => `${cause} ${n}`).join(', ');
  return sorted.length > 2 ? `${shown} (+${sorted.length - 2} more)` : shown;
}

/** Setup (and response) phases that occurred, p50/p99; with `connectionsPerSecond` the setup rate too. */
function phasesLine(label: string, phasesMs: Partial<Stats['phasesMs']>, connectionsPerSecond?: number): string {
  const phases: [string, LatencySummary | undefined][] = [
    ['connect', phasesMs.connect],
    ['proxy handshake', phasesMs.proxyHandshake],
    ['tls', phasesMs.tls],
    ['ttfb', phasesMs.ttfb],
  ];
  const present = phases.filter((entry): entry is [string, LatencySummary] => entry[1] !== undefined && entry[1].count > 0);
  if (present.length === 0) return '';
  const parts = present.map(([name, s]) => `${name} ${formatNumber(s.p50)}/${formatNumber(s.p99)}`);
  const rate = connectionsPerSecond !== undefined ? ` · ${formatNumber(connectionsPerSecond)} new connections/s` : '';
  return `${label} p50/p99 ms: ${parts.join(' · ')}${rate}`;
}

/**
 * One kind's messages: `messages echo: 500 sent, 498 received, 2 lost (loss 0.4%) · 1234 msg/s ·
 * rtt p50/p99 0.12/0.5 ms`; loss, reordered and duplicates only when non-zero.
 */
function messagesLine(kind: string, m: MessageFigures): string {
  const { sent, received, lost, reordered, duplicates } = m.messages;
  const loss = m.lossRate > 0 ? ` (loss ${formatQuantity('ratio', m.lossRate)})` : '';
  const order = [reordered > 0 ? `${reordered} reordered` : '', duplicates > 0 ? `${duplicates} duplicate(s)` : ''].filter((t) => t !== '');
  const rtt = m.rttMs.count > 0 ? `rtt p50/p99 ${formatNumber(m.rttMs.p50)}/${formatNumber(m.rttMs.p99)} ms` : 'no echo verified';
  return `messages ${kind}: ${sent} sent, ${received} received, ${lost} lost${loss} · ${formatQuantity('mps', m.messagesPerSecond)} · ${rtt}` +
    (order.length > 0 ? ` · ${order.join(', ')}` : '');
}

/** A hold run's `held:` line (counts, causes, the proxy's RSS per 1,000) and its setup phases. */
function heldLines(held: HeldConnections | undefined): string[] {
  if (!held) return [];
  const causes = topErrors(held.errors);
  const trickle = held.trickle ? `; trickle every ${formatDurationMs(held.trickle.intervalMs)}: ${held.trickle.ok} ok, ${held.trickle.failed} failed` : '';
  const rss = held.sutRssBaselineMiB !== null && held.sutRssHeldMiB !== null
    ? `; proxy RSS ${formatNumber(held.sutRssBaselineMiB)} → ${formatNumber(held.sutRssHeldMiB)} MiB` +
      (held.sutRssPerThousandMiB !== null ? `, ${formatQuantity('mib', held.sutRssPerThousandMiB)} per 1,000 held` : '')
    : '; proxy RSS not sampled';
  return [
    `held: ${held.established}/${held.target} ${held.protocol} connections to the ${held.origin} origin established, ` +
      `${held.failed} failed${causes ? ` (${causes})` : ''}, ${held.closedEarly} closed early; ` +
      `opened in ${formatDurationMs(Math.round(held.openingMs))}, held ${formatDurationMs(Math.round(held.holdMs))}${trickle}${rss}`,
    phasesLine('held setup', held.phasesMs),
  ];
}

function signedMs(added: AddedLatencyMs): string {
  return [added.p50, added.p90, added.p99].map((v) => `${v >= 0 ? '+' : ''}${formatNumber(v)}`).join('/');
}

/**
 * `--direct-baseline`: per kind, the proxy's added latency (p50/p90/p99) on its basis, the plain
 * difference beside it when the chosen figure is the origin-subtracted one, and the rate ratio.
 */
function overheadLines(report: Report): string[] {
  const overhead = Object.entries(report.directBaseline?.overheadByKind ?? {});
  if (overhead.length === 0) return [];
  return [
    'proxy added vs direct, p50/p90/p99 ms:',
    ...overhead.map(([kind, o]) => {
      const gross = overheadBasis(o) === 'minus-origin' && o.latencyAddedGrossMs ? `; gross ${signedMs(o.latencyAddedGrossMs)}` : '';
      return `  ${kind} ${signedMs(o.latencyAddedMs)} (${overheadBasisText(o)}${gross}) · ${formatNumber(o.throughputRatio)}× direct req/s`;
    }),
  ];
}

function harnessLine(report: Report): string {
  const h = report.harness;
  return (
    `harness: ${h.workers} worker(s), RSS peak ${formatQuantity('mib', h.rssPeakMiB)}, CPU ${formatNumber(h.cpuPercent)}% of a core, ` +
    `${formatNumber(h.cpuUsPerRequest)} µs CPU per request, event-loop delay p99 ${formatQuantity('ms', h.eventLoopDelayP99Ms)}`
  );
}

function sutLine(report: Report): string {
  const sut = report.sut;
  if (!sut) return 'SUT: not sampled';
  const slope = `${sut.rssSlopeMiBPerMin >= 0 ? '+' : ''}${formatNumber(sut.rssSlopeMiBPerMin)} MiB/min`;
  const startup = sut.startupMs !== undefined ? `, ready in ${formatQuantity('ms', sut.startupMs)}` : '';
  return (
    `SUT (${sut.source}, pid ${sut.pid}): RSS peak ${formatQuantity('mib', sut.rssPeakMiB)} ` +
    `(start ${formatNumber(sut.rssMiB.start)}, end ${formatNumber(sut.rssMiB.end)}, slope ${slope}), ` +
    `CPU ${formatNumber(sut.cpuPercent.mean)}% mean / ${formatNumber(sut.cpuPercent.peak)}% peak, ` +
    `${formatNumber(sut.cpuMsPer1kRequests)} ms CPU per 1k requests, fds peak ${sut.fdsPeak}${startup}`
  );
}
