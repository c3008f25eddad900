import type { LatencySummary, MessageCounts, Stats } from './schema.js';

/**
 * The message figures of a Stats block (docs/report-schema.md): present together for kinds that
 * exchanged messages (the `tcp-echo`, `websocket` and `udp-echo` operations) and absent for HTTP
 * kinds, bulk streams and reports written before they existed.
 */
export interface MessageFigures {
  readonly messages: MessageCounts;
  /** Verified echoes per second of measured time. */
  readonly messagesPerSecond: number;
  /** messages.lost / messages.sent, 0..1. */
  readonly lossRate: number;
  /** Round trip of each verified message, ms. */
  readonly rttMs: LatencySummary;
  /** The encoded histogram (µs) behind `rttMs`; `''` when a report lacks it. */
  readonly rttHistogram: string;
}

/** The message figures of `stats`, or `undefined` when the block has none. */
export function messageFiguresOf(stats: Stats): MessageFigures | undefined {
  const { messages, messagesPerSecond, lossRate, rttMs } = stats;
  if (messages === undefined || messagesPerSecond === undefined || lossRate === undefined || rttMs === undefined) return undefined;
  return { messages, messagesPerSecond, lossRate, rttMs, rttHistogram: stats.phaseHistograms.rtt ?? '' };
}

/**
 * The rows a writer shows message figures for: each kind that has them, in report order, then the
 * total when more than one kind has them (with one, the total repeats it). Empty for a report
 * without messages, so an HTTP-only report looks as it did before they existed.
 */
export function messageRowsOf(report: { readonly totals: Stats; readonly byKind: Readonly<Record<string, Stats>> }): [string, MessageFigures][] {
  const rows = Object.entries(report.byKind).flatMap(([kind, stats]): [string, MessageFigures][] => {
    const figures = messageFiguresOf(stats);
    return figures ? [[kind, figures]] : [];
  });
  const total = messageFiguresOf(report.totals);
  return rows.length > 1 && total ? [...rows, ['total', total]] : rows;
}
