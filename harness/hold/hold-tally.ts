import { createHistogram, encodeHistogram, summarize, type Histogram } from '../../reports/histogram-codec.js';
import type { HeldConnections } from '../../reports/schema.js';
import type { ErrorCause } from '../../core/error-cause.js';
import type { SetupTimings } from '../transports/index.js';

/**
 * What a hold run counts while it opens, holds and closes its connections: setup phases as HDR
 * histograms (µs), failures by cause, and the trickle's ok/failed. Fixed size, whatever the number
 * of connections.
 */
export class HoldTally {
  established = 0;
  failed = 0;
  endedEarly = 0;
  trickleOk = 0;
  trickleFailed = 0;
  /** Detail of the first `harness_limit` failure (it starts with the errno code), for the hint. */
  harnessLimitDetail: string | undefined;
  readonly errors: Partial<Record<ErrorCause, number>> = {};
  private readonly connect: Histogram = createHistogram();
  private readonly proxyHandshake: Histogram = createHistogram();
  private readonly tls: Histogram = createHistogram();

  /** A connection opened, with its setup phases (-1 for a phase it did not have). */
  opened(timings: SetupTimings): void {
    this.established++;
    record(this.connect, timings.connectUs);
    record(this.proxyHandshake, timings.proxyHandshakeUs);
    record(this.tls, timings.tlsUs);
  }

  /** An attempt to open one failed. */
  openFailed(cause: ErrorCause, detail: string): void {
    this.failed++;
    this.countError(cause, detail);
  }

  /** A trickle request finished. */
  trickled(ok: boolean, cause: ErrorCause | undefined, detail: string | undefined): void {
    if (ok) {
      this.trickleOk++;
      return;
    }
    this.trickleFailed++;
    this.countError(cause ?? 'other', detail ?? '');
  }

  /** The setup phases as the report shows them (ms), with their encoded histograms. */
  phases(): Pick<HeldConnections, 'phasesMs' | 'phaseHistograms'> {
    return {
      phasesMs: { connect: summarize(this.connect), proxyHandshake: summarize(this.proxyHandshake), tls: summarize(this.tls) },
      phaseHistograms: { connect: encodeHistogram(this.connect), proxyHandshake: encodeHistogram(this.proxyHandshake), tls: encodeHistogram(this.tls) },
    };
  }

  /** Frees the histograms (hdr-histogram-js may hold WebAssembly memory). */
  destroy(): void {
    for (const h of [this.connect, this.proxyHandshake, this.tls]) h.destroy();
  }

  private countError(cause: ErrorCause, detail: string): void {
    this.errors[cause] = (this.errors[cause] ?? 0) + 1;
    if (cause === 'harness_limit') this.harnessLimitDetail ??= detail;
  }
}

function record(histogram: Histogram, us: number): void {
  // HDR histograms take integers; a sub-microsecond phase still counts as 1 µs (as the recorder does).
  if (us >= 0) histogram.recordValue(Math.max(1, Math.round(us)));
}
