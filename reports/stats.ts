import type { ErrorCause } from '../core/error-cause.js';
import { addEncoded, createHistogram, encodeHistogram, summarize, type Histogram } from './histogram-codec.js';
import type { Stats } from './schema.js';

/**
 * The one place a {@link Stats} block is computed from counters and histograms, so a run, a merge of
 * shards and a re-read report all derive rates and percentiles the same way.
 */

/** The additive part of a Stats block: everything that merges by summing. */
export interface StatsCounters {
  requests: number;
  successes: number;
  failures: number;
  bytesIn: number;
  bytesOut: number;
  errors: Partial<Record<ErrorCause, number>>;
  backoffs: number;
  staleRetries: number;
  connectionsOpened: number;
  connectionsReused: number;
  late: number;
  dropped: number;
  /** Messages (datagrams) of exchanges: see core/exchange.ts MessageTally. */
  messagesSent: number;
  messagesReceived: number;
  messagesLost: number;
  messagesReordered: number;
  messagesDuplicated: number;
}

/**
 * Histogram names (microseconds) kept per request kind. `latencyMinusOrigin` is each stamped
 * success's latency minus the origin's own service time (see `Stats.latencyMinusOriginMs`).
 */
export const HISTOGRAM_NAMES = ['latency', 'serviceTime', 'connect', 'proxyHandshake', 'tls', 'ttfb', 'latencyMinusOrigin', 'rtt'] as const;
/** One histogram name. */
export type HistogramName = (typeof HISTOGRAM_NAMES)[number];

/** The histograms behind a Stats block. */
export type StatsHistograms = Record<HistogramName, Histogram>;

/** Zeroed counters. */
export function emptyCounters(): StatsCounters {
  return {
    requests: 0, successes: 0, failures: 0, bytesIn: 0, bytesOut: 0, errors: {},
    backoffs: 0, staleRetries: 0, connectionsOpened: 0, connectionsReused: 0, late: 0, dropped: 0,
    messagesSent: 0, messagesReceived: 0, messagesLost: 0, messagesReordered: 0, messagesDuplicated: 0,
  };
}

/** Empty histograms. */
export function emptyHistograms(): StatsHistograms {
  return {
    latency: createHistogram(), serviceTime: createHistogram(), connect: createHistogram(),
    proxyHandshake: createHistogram(), tls: createHistogram(), ttfb: createHistogram(), latencyMinusOrigin: createHistogram(),
    rtt: createHistogram(),
  };
}

/** Adds `from` into `into` (mutates `into`). */
export function addCounters(into: StatsCounters, from: StatsCounters): void {
  into.requests += from.requests;
  into.successes += from.successes;
  into.failures += from.failures;
  into.bytesIn += from.bytesIn;
  into.bytesOut += from.bytesOut;
  into.backoffs += from.backoffs;
  into.staleRetries += from.staleRetries;
  into.connectionsOpened += from.connectionsOpened;
  into.connectionsReused += from.connectionsReused;
  into.late += from.late;
  into.dropped += from.dropped;
  into.messagesSent += from.messagesSent;
  into.messagesReceived += from.messagesReceived;
  into.messagesLost += from.messagesLost;
  into.messagesReordered += from.messagesReordered;
  into.messagesDuplicated += from.messagesDuplicated;
  for (const [cause, count] of Object.entries(from.errors) as [ErrorCause, number][]) {
    into.errors[cause] = (into.errors[cause] ?? 0) + count;
  }
}

/** Reads the additive counters back out of a Stats block (for merging reports). */
export function countersOf(stats: Stats): StatsCounters {
  return {
    requests: stats.requests, successes: stats.successes, failures: stats.failures,
    bytesIn: stats.bytesIn, bytesOut: stats.bytesOut, errors: { ...stats.errors },
    backoffs: stats.backoffs, staleRetries: stats.staleRetries,
    connectionsOpened: stats.connections.opened, connectionsReused: stats.connections.reused,
    late: stats.late, dropped: stats.dropped,
    // Absent for kinds that exchange no messages, and in reports written before they existed.
    messagesSent: stats.messages?.sent ?? 0, messagesReceived: stats.messages?.received ?? 0, messagesLost: stats.messages?.lost ?? 0,
    messagesReordered: stats.messages?.reordered ?? 0, messagesDuplicated: stats.messages?.duplicates ?? 0,
  };
}

/** Adds the encoded histograms of a Stats block into `into` (for merging reports). */
export function addStatsHistograms(into: StatsHistograms, stats: Stats): void {
  addEncoded(into.latency, stats.histogram);
  addEncoded(into.serviceTime, stats.phaseHistograms.serviceTime);
  addEncoded(into.connect, stats.phaseHistograms.connect);
  addEncoded(into.proxyHandshake, stats.phaseHistograms.proxyHandshake);
  addEncoded(into.tls, stats.phaseHistograms.tls);
  addEncoded(into.ttfb, stats.phaseHistograms.ttfb);
  // Absent in reports written before it existed: those shards add nothing to it.
  addEncoded(into.latencyMinusOrigin, stats.phaseHistograms.latencyMinusOrigin ?? '');
  addEncoded(into.rtt, stats.phaseHistograms.rtt ?? '');
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * Successes over the requests the load offered: those sent plus those dropped (open model), 0..1,
 * 0 when none was offered. A dropped request was owed to the schedule and never served, so it
 * counts against the rate like a failure; under the closed model nothing is dropped.
 */
function successRateOf(counters: Pick<StatsCounters, 'requests' | 'successes' | 'dropped'>): number {
  const offered = counters.requests + counters.dropped;
  return offered > 0 ? round(counters.successes / offered, 6) : 0;
}

/** Computes a Stats block. `measuredMs` is the measured time the counters cover. */
export function buildStats(counters: StatsCounters, histograms: StatsHistograms, measuredMs: number): Stats {
  const seconds = measuredMs / 1000;
  const perSecond = (n: number): number => (seconds > 0 ? n / seconds : 0);
  const requestsOnConnections = counters.connectionsOpened + counters.connectionsReused;
  return {
    requests: counters.requests,
    successes: counters.successes,
    failures: counters.failures,
    successRate: successRateOf(counters),
    rps: round(perSecond(counters.requests), 2),
    bytesIn: counters.bytesIn,
    bytesOut: counters.bytesOut,
    throughputMbps: round(perSecond(((counters.bytesIn + counters.bytesOut) * 8) / 1e6), 3),
    latencyMs: summarize(histograms.latency),
    serviceTimeMs: summarize(histograms.serviceTime),
    latencyMinusOriginMs: summarize(histograms.latencyMinusOrigin),
    phasesMs: {
      connect: summarize(histograms.connect),
      proxyHandshake: summarize(histograms.proxyHandshake),
      tls: summarize(histograms.tls),
      ttfb: summarize(histograms.ttfb),
    },
    errors: { ...counters.errors },
    backoffs: counters.backoffs,
    staleRetries: counters.staleRetries,
    connections: {
      opened: counters.connectionsOpened,
      reused: counters.connectionsReused,
      reuseRatio: requestsOnConnections > 0 ? round(counters.connectionsReused / requestsOnConnections, 4) : 0,
      perSecond: round(perSecond(counters.connectionsOpened), 2),
    },
    late: counters.late,
    dropped: counters.dropped,
    ...messageStats(counters, histograms.rtt, perSecond),
    histogram: encodeHistogram(histograms.latency),
    phaseHistograms: {
      serviceTime: encodeHistogram(histograms.serviceTime),
      connect: encodeHistogram(histograms.connect),
      proxyHandshake: encodeHistogram(histograms.proxyHandshake),
      tls: encodeHistogram(histograms.tls),
      ttfb: encodeHistogram(histograms.ttfb),
      latencyMinusOrigin: encodeHistogram(histograms.latencyMinusOrigin),
      ...(exchangedMessages(counters) ? { rtt: encodeHistogram(histograms.rtt) } : {}),
    },
  };
}

/** True when the figures cover exchanges that sent messages (tcp-echo, websocket, udp-echo). */
function exchangedMessages(counters: StatsCounters): boolean {
  return counters.messagesSent > 0;
}

/**
 * The message figures of a Stats block, present only when messages were sent, so an HTTP kind's
 * block keeps its shape (docs/report-schema.md). `messagesPerSecond` counts verified echoes.
 */
function messageStats(counters: StatsCounters, rtt: Histogram, perSecond: (n: number) => number): Pick<Stats, 'messages' | 'messagesPerSecond' | 'lossRate' | 'rttMs'> {
  if (!exchangedMessages(counters)) return {};
  return {
    messages: {
      sent: counters.messagesSent,
      received: counters.messagesReceived,
      lost: counters.messagesLost,
      reordered: counters.messagesReordered,
      duplicates: counters.messagesDuplicated,
    },
    messagesPerSecond: round(perSecond(counters.messagesReceived), 2),
    lossRate: round(counters.messagesLost / counters.messagesSent, 6),
    rttMs: summarize(rtt),
  };
}
