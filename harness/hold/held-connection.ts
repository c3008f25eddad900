import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import type { PhaseTimeouts, RequestOutcome } from '../../core/request.js';
import type { Held } from './held-strategy.js';
import { TrickleResponseReader, type TrickleRequest } from './trickle-response.js';
import { type ClassifiedError, elapsedUs } from '../transports/index.js';

/** An exchange waiting for its response on a held connection. */
interface Pending {
  /** Takes the next chunk read off the connection. */
  readonly feed: (chunk: Buffer) => void;
  /** The connection ended. */
  readonly end: () => void;
}

/**
 * One connection of a hold run, kept open until {@link HeldConnection.close}. It notices when the
 * proxy (or anything on the way) ends it first — `onEndedEarly` is called once — and, in trickle
 * mode, carries one small request at a time. A failed exchange leaves the connection in an unknown
 * state, so it is closed and counts as ended early.
 */
export class HeldConnection implements Held {
  private pending: Pending | undefined;
  private closedByUs = false;
  private ended = false;

  /**
   * @param socket a connection fresh from the opener, nothing read from it yet
   * @param onEndedEarly called once if the connection ends before {@link HeldConnection.close}
   * @param request the trickle request
   * @param timeouts its limits: `ttfbMs` to the head, `totalMs` to the last verified byte
   */
  constructor(
    private readonly socket: Duplex,
    private readonly onEndedEarly: () => void,
    private readonly request: TrickleRequest,
    private readonly timeouts: Pick<PhaseTimeouts, 'ttfbMs' | 'totalMs'>,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    // 'close' follows every error; what ended the connection is counted there or by the exchange.
    socket.on('error', () => undefined);
    socket.once('close', () => this.onClose());
    // The handshakes leave the socket paused at the first tunnel byte; a held connection must read,
    // or a close by the proxy would go unseen until the next write.
    socket.resume();
  }

  /** False once the connection has ended, whoever ended it. */
  get isOpen(): boolean {
    return !this.ended;
  }

  /**
   * Sends the trickle request and reads its response within `timeouts.ttfbMs` (to the head) and
   * `timeouts.totalMs` (to the last verified byte). Never rejects: failures are outcomes.
   */
  trickle(): Promise<RequestOutcome> {
    const { request, timeouts } = this;
    const startMs = performance.now();
    const reader = new TrickleResponseReader(request);
    return new Promise((resolve) => {
      let ttfbUs = -1;
      const settle = (failure?: ClassifiedError): void => {
        if (this.pending !== pending) return;
        this.pending = undefined;
        timers.forEach((t) => clearTimeout(t));
        if (failure) this.socket.destroy();
        resolve(trickleOutcome(reader, failure, ttfbUs, elapsedUs(startMs)));
      };
      const pending: Pending = {
        feed: (chunk) => {
          const progress = reader.feed(chunk);
          if (ttfbUs < 0 && reader.headDone) ttfbUs = elapsedUs(startMs);
          if (progress.done) settle(progress.failure);
        },
        end: () => settle(reader.ended()),
      };
      this.pending = pending;
      const timers = [
        setTimeout(() => !reader.headDone && settle({ cause: 'timeout_ttfb', detail: `no response head within ${timeouts.ttfbMs} ms` }), timeouts.ttfbMs),
        setTimeout(() => settle({ cause: 'timeout_total', detail: `response not complete within ${timeouts.totalMs} ms` }), timeouts.totalMs),
      ];
      if (this.ended) return pending.end();
      this.socket.write(request.bytes);
    });
  }

  /** Ends the connection at the end of the hold (not counted as ended early). */
  close(): void {
    this.closedByUs = true;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    // Nothing was asked: bytes now mean the stream is out of step, and no later answer could be trusted.
    if (!this.pending) return void this.socket.destroy();
    this.pending.feed(chunk);
  }

  private onClose(): void {
    this.ended = true;
    this.pending?.end();
    if (!this.closedByUs) this.onEndedEarly();
  }
}

function trickleOutcome(reader: TrickleResponseReader, failure: ClassifiedError | undefined, ttfbUs: number, totalUs: number): RequestOutcome {
  return {
    ok: failure === undefined,
    ...(failure ? { cause: failure.cause, detail: failure.detail } : {}),
    statusCode: reader.statusCode,
    ttfbUs,
    totalUs,
    bytesIn: reader.bodyBytesIn,
    // The report's bytesOut counts request bodies; a GET has none.
    bytesOut: 0,
    connection: 'reused',
    connectUs: -1,
    proxyHandshakeUs: -1,
    tlsUs: -1,
    staleRetried: false,
    // The trickle report has no direct baseline to set an origin-subtracted figure against.
    originUs: -1,
  };
}
