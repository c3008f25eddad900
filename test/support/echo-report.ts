import type { RequestMixEntry } from '../../core/scenario.js';
import type { Report } from '../../reports/schema.js';
import { latencySamples, SYNTHETIC_CONFIG, syntheticReport, type SyntheticMessages, type SyntheticReportOptions } from './synthetic-report.js';

/**
 * Synthetic reports with message figures: an HTTP kind `get` beside an echo kind `echo` (tcp-echo)
 * whose exchanges send 10 messages each, with the scenario's mix naming both so the thresholds know
 * which kinds exchange messages.
 */

/** The mix of {@link echoReport}: `get` downloads, `echo` runs tcp-echo through CONNECT. */
export const ECHO_MIX: readonly RequestMixEntry[] = [
  SYNTHETIC_CONFIG.mix[0] as RequestMixEntry,
  { kind: 'echo', weight: 1, protocol: 'connect', origin: 'http', operation: { op: 'tcp-echo', messageBytes: 1024, messages: 10 } },
];

/** What varies between the echo reports of a test. */
export interface EchoReportOptions {
  readonly seed?: number;
  /** Median message RTT, ms (default 2). */
  readonly rttMedianMs?: number;
  /** Messages lost in each second of the echo kind (default none). */
  readonly lostPerSecond?: readonly number[];
  /** Seconds of the run (default 5). */
  readonly seconds?: number;
  /** Exchanges of the echo kind per second (default 20: 200 messages a second). */
  readonly echoRps?: number;
  readonly reordered?: number;
  readonly duplicates?: number;
  readonly thresholds?: readonly string[];
  readonly startSec?: number;
  readonly shard?: SyntheticReportOptions['shard'];
}

/** A report of `get` (HTTP) and `echo` (tcp-echo, 10 messages per exchange). */
export function echoReport(options: EchoReportOptions = {}): Report {
  const seed = options.seed ?? 1;
  const seconds = options.seconds ?? 5;
  const echoRps = options.echoRps ?? 20;
  const messages: SyntheticMessages = {
    perRequest: 10,
    rttMs: latencySamples(2000, options.rttMedianMs ?? 2, seed + 100),
    ...(options.lostPerSecond ? { lostPerSecond: options.lostPerSecond } : {}),
    ...(options.reordered !== undefined ? { reordered: options.reordered } : {}),
    ...(options.duplicates !== undefined ? { duplicates: options.duplicates } : {}),
  };
  return syntheticReport({
    scenario: 'echo-mix',
    kinds: {
      get: { latenciesMs: latencySamples(500, 5, seed), requestsPerSecond: Array.from({ length: seconds }, () => 50) },
      echo: { latenciesMs: latencySamples(500, 25, seed + 1), requestsPerSecond: Array.from({ length: seconds }, () => echoRps), protocol: 'connect', messages },
    },
    config: { scenario: 'echo-mix', mix: ECHO_MIX },
    ...(options.thresholds ? { thresholds: options.thresholds } : {}),
    ...(options.startSec !== undefined ? { startSec: options.startSec } : {}),
    ...(options.shard ? { shard: options.shard } : {}),
  });
}
