import type { MessageTally, StreamTarget } from '../../../core/exchange.js';
import type { RequestOutcome } from '../../../core/request.js';
import { requestFailure } from '../classify-error.js';
import { elapsedUs } from '../connection-setup.js';
import { tunnelOpenerFor, type OpenedTunnel } from '../open-tunnel.js';
import type { SetupTimings } from '../socket-tracker.js';
import type { ExchangerOptions } from './exchanger-options.js';

/**
 * One exchange's life: when it started, its stream's setup, what it has moved so far, and how it
 * ends — the bookkeeping every operation shares, so each operation file holds only its protocol.
 * A session is aborted when the exchanger closes (the run ends or is interrupted): its socket is
 * destroyed and the operation's pending wait fails.
 */
export class ExchangeSession {
  /** Performance-clock ms when the exchange was handed over: its latency's start. */
  readonly startMs = performance.now();
  private readonly aborter = new AbortController();
  private setup: SetupTimings | undefined;
  private firstAnswerUs = -1;
  private settled: Promise<unknown> = Promise.resolve();
  bytesIn = 0;
  bytesOut = 0;
  /** HTTP status of the WebSocket upgrade's answer; 0 for the other operations. */
  statusCode = 0;

  constructor(readonly options: ExchangerOptions) {}

  /** Aborted when the exchanger closes: operations stop waiting and fail. */
  get signal(): AbortSignal {
    return this.aborter.signal;
  }

  /**
   * Opens a stream to `target` through the proxy (CONNECT, SOCKS5; TCP to the proxy itself in
   * forward mode; TCP to the target for direct), with TLS to the target when `tls`, timed and
   * classified like a request's connection (harness/transports/open-tunnel.ts). Rejects with a
   * classified TransportFailure.
   */
  async openStream(target: StreamTarget, tls = false): Promise<OpenedTunnel> {
    const opened = tunnelOpenerFor({
      protocol: this.options.protocol,
      ...(this.options.proxy ? { proxy: this.options.proxy } : {}),
      origin: { protocol: tls ? 'https' : 'http', ...target },
      ...(this.options.targetCaPem !== undefined ? { originCaPem: this.options.targetCaPem } : {}),
      timeouts: this.options.timeouts,
    })();
    this.settled = opened;
    const tunnel = await opened;
    this.setup = tunnel.timings;
    if (this.signal.aborted) tunnel.socket.destroy();
    else this.signal.addEventListener('abort', () => tunnel.socket.destroy(), { once: true });
    return tunnel;
  }

  /** Records the setup timings of a connection the operation opened itself (the UDP association's control stream). */
  noteSetup(timings: SetupTimings): void {
    this.setup = timings;
  }

  /** Marks the first byte (or message) of the target's answer, once: the exchange's `ttfb`. */
  noteFirstAnswer(): void {
    if (this.firstAnswerUs < 0) this.firstAnswerUs = elapsedUs(this.startMs);
  }

  /** Lets `close` wait for the operation's own pending work (e.g. a UDP socket's close). */
  track(pending: Promise<unknown>): void {
    this.settled = pending;
  }

  abort(): void {
    this.aborter.abort();
  }

  /** Aborts and waits until the operation's pending work has settled. */
  async abortAndSettle(): Promise<void> {
    this.abort();
    await this.settled.catch(() => undefined);
  }

  /** The outcome of an exchange that completed and verified everything. */
  succeeded(messages?: MessageTally): RequestOutcome {
    return this.outcome(true, messages);
  }

  /**
   * The outcome of an exchange that failed with `err` (a classified TransportFailure, or a socket
   * error classified like a request's). `messages` counts what had been sent and received.
   */
  failed(err: unknown, messages?: MessageTally): RequestOutcome {
    const { cause, detail } = this.signal.aborted && !isClassified(err)
      ? { cause: 'other' as const, detail: 'the run ended while the exchange was open' }
      : requestFailure(err);
    return { ...this.outcome(false, messages), cause, detail };
  }

  private outcome(ok: boolean, messages: MessageTally | undefined): RequestOutcome {
    const setup = this.setup;
    return {
      ok,
      statusCode: this.statusCode,
      ttfbUs: this.firstAnswerUs,
      totalUs: elapsedUs(this.startMs),
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      connection: setup ? 'new' : 'none',
      connectUs: setup?.connectUs ?? -1,
      proxyHandshakeUs: setup?.proxyHandshakeUs ?? -1,
      tlsUs: setup?.tlsUs ?? -1,
      staleRetried: false,
      originUs: -1,
      ...(messages ? { messages } : {}),
    };
  }
}

function isClassified(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'PB_ERR_TRANSPORT';
}
