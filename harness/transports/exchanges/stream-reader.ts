import type { Duplex } from 'node:stream';
import { TransportFailure } from '../transport-failure.js';

/**
 * Reads a stream for an exchange: hands every chunk to `consume` (which checks it and may throw a
 * classified TransportFailure, e.g. `integrity`) and lets the operation wait until what it expects
 * has arrived. The waits fail as the causes say: silence longer than the idle limit is
 * `timeout_idle`, a stream the proxy ends or closes early is `reset`, the session's whole limit is
 * `timeout_total`. Nothing is kept but what `consume` keeps.
 */
export class StreamReader {
  private failure: unknown;
  private ended = false;
  private waiter: { readonly done: () => boolean; resolve(): void; reject(err: unknown): void; idle?: NodeJS.Timeout } | undefined;
  private readonly totalTimer: NodeJS.Timeout;

  /**
   * @param idleMs longest silence while waiting, ms
   * @param totalMs what is left of the session's whole limit, ms
   */
  constructor(
    private readonly socket: Duplex,
    private readonly consume: (chunk: Buffer) => void,
    private readonly idleMs: number,
    totalMs: number,
    signal: AbortSignal,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.on('close', () => this.onEnd());
    socket.on('error', (err) => this.fail(err));
    this.totalTimer = setTimeout(() => this.fail(new TransportFailure('timeout_total', `the exchange took longer than ${totalMs} ms`)), totalMs);
    this.totalTimer.unref();
    signal.addEventListener('abort', () => this.fail(new TransportFailure('other', 'the run ended while the exchange was open')), { once: true });
  }

  /** True once the far end ended its side (FIN) or the stream closed. */
  get hasEnded(): boolean {
    return this.ended;
  }

  /** Resolves once `done()` holds (checked after every chunk); rejects as the class says. */
  waitUntil(done: () => boolean, what: string): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (done()) return Promise.resolve();
    if (this.ended) return Promise.reject(this.earlyEnd(what));
    return new Promise((resolve, reject) => {
      this.waiter = { done, resolve, reject };
      this.armIdle(what);
    });
  }

  /**
   * Counts bytes the operation managed to send as activity: restarts the current wait's idle limit.
   * An upload waits for an answer that comes only at its end (tcp-bulk's verdict), so silence the
   * other way is no stall while the proxy keeps taking bytes.
   */
  noteOutgoingProgress(): void {
    if (this.waiter) this.armIdle(this.whatWaited);
  }

  /** Stops the timers; the caller ends or destroys the socket. */
  dispose(): void {
    clearTimeout(this.totalTimer);
    if (this.waiter?.idle) clearTimeout(this.waiter.idle);
    this.waiter = undefined;
  }

  private armIdle(what: string): void {
    const waiter = this.waiter;
    if (!waiter) return;
    if (waiter.idle) clearTimeout(waiter.idle);
    waiter.idle = setTimeout(() => this.fail(new TransportFailure('timeout_idle', `no byte for ${this.idleMs} ms while waiting for ${what}`)), this.idleMs);
    waiter.idle.unref();
    this.whatWaited = what;
  }

  private whatWaited = '';

  private onData(chunk: Buffer): void {
    if (this.failure !== undefined) return;
    try {
      this.consume(chunk);
    } catch (err) {
      this.fail(err);
      return;
    }
    if (this.waiter && !this.resolveIfDone()) this.armIdle(this.whatWaited);
  }

  private onEnd(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.waiter && !this.resolveIfDone()) this.fail(this.earlyEnd(this.whatWaited));
  }

  /** Resolves the pending wait when what it waits for has arrived; false when it has not. */
  private resolveIfDone(): boolean {
    const waiter = this.waiter;
    if (!waiter?.done()) return false;
    this.settle();
    waiter.resolve();
    return true;
  }

  private earlyEnd(what: string): TransportFailure {
    return new TransportFailure('reset', `the stream was closed before ${what} arrived`);
  }

  private fail(err: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = err;
    const waiter = this.waiter;
    this.settle();
    waiter?.reject(err);
  }

  private settle(): void {
    if (this.waiter?.idle) clearTimeout(this.waiter.idle);
    this.waiter = undefined;
  }
}
