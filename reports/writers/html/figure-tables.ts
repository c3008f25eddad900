import { messageRowsOf } from '../../message-figures.js';
import type { LatencySummary, Report, Stats } from '../../schema.js';
import { formatCount, formatMs, formatRatio, formatSignificant } from './format.js';
import { htmlTable, type TableCell } from './table.js';

/**
 * The figure tables: headline figures per kind and total, and setup phases. Every figure is read
 * from the report as it stands.
 */

/** Total first, then the kinds in report order. */
function rowsOf(report: Report): [string, Stats][] {
  return [['total', report.totals], ...Object.entries(report.byKind)];
}

function latencyOrDash(summary: LatencySummary, key: keyof LatencySummary): string {
  return summary.count === 0 ? '—' : formatMs(summary[key]);
}

/** Headline figures: counts, success rate, throughput and latency percentiles per kind and total. */
export function headlineTable(report: Report): string {
  return statsTable('kind', rowsOf(report));
}

/**
 * The same figures per proxy (`byProxy`), in the order the config lists the proxies; null when the
 * report has none (a direct run, or one written before byProxy existed).
 */
export function byProxyTable(report: Report): string | null {
  const rows = Object.entries(report.byProxy ?? {});
  return rows.length === 0 ? null : statsTable('proxy', rows, false);
}

function statsTable(keyHeader: string, named: readonly [string, Stats][], withTotal = true): string {
  const headers = [keyHeader, 'requests', 'success', 'req/s', 'Mb/s', 'p50', 'p90', 'p99', 'p99.9', 'max', 'mean', 'failures', 'conns opened', 'reuse'];
  const rows = named.map(([name, s]): TableCell[] => [
    { text: name, className: withTotal && name === 'total' ? 'key total' : 'key' },
    formatCount(s.requests),
    { text: formatRatio(s.successRate), className: s.failures > 0 ? 'worse' : '' },
    formatSignificant(s.rps),
    formatSignificant(s.throughputMbps),
    ...(['p50', 'p90', 'p99', 'p999', 'max', 'mean'] as const).map((k) => latencyOrDash(s.latencyMs, k)),
    { text: formatCount(s.failures), className: s.failures > 0 ? 'worse' : '' },
    formatCount(s.connections.opened),
    formatRatio(s.connections.reuseRatio),
  ]);
  return htmlTable(headers, rows);
}

/** p50 / p99 of each setup phase and of the service time, per kind and total. */
export function phasesTable(report: Report): string {
  const headers = ['kind', 'connect p50', 'p99', 'proxy handshake p50', 'p99', 'TLS p50', 'p99', 'TTFB p50', 'p99', 'service time p50', 'p99'];
  const rows = rowsOf(report).map(([name, s]): TableCell[] => {
    const phases = [s.phasesMs.connect, s.phasesMs.proxyHandshake, s.phasesMs.tls, s.phasesMs.ttfb, s.serviceTimeMs];
    return [{ text: name, className: 'key' }, ...phases.flatMap((p) => [latencyOrDash(p, 'p50'), latencyOrDash(p, 'p99')])];
  });
  return htmlTable(headers, rows);
}

/**
 * Kinds that exchanged messages (tcp-echo, websocket, udp-echo): counts, loss, echoes per second and
 * message RTT; `null` for a report without messages, which then shows no such table.
 */
export function messagesTable(report: Report): string | null {
  const rows = messageRowsOf(report).map(([name, m]): TableCell[] => [
    { text: name, className: name === 'total' ? 'key total' : 'key' },
    formatCount(m.messages.sent),
    formatCount(m.messages.received),
    { text: formatCount(m.messages.lost), className: m.messages.lost > 0 ? 'worse' : '' },
    { text: formatRatio(m.lossRate), className: m.lossRate > 0 ? 'worse' : '' },
    formatSignificant(m.messagesPerSecond),
    ...(['p50', 'p90', 'p99', 'max'] as const).map((k) => latencyOrDash(m.rttMs, k)),
    formatCount(m.messages.reordered),
    formatCount(m.messages.duplicates),
  ]);
  if (rows.length === 0) return null;
  const headers = ['kind', 'sent', 'received', 'lost', 'loss', 'msg/s', 'RTT p50', 'p90', 'p99', 'max', 'reordered', 'duplicates'];
  return htmlTable(headers, rows);
}
