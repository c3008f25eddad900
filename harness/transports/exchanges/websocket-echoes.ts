import type WebSocket from 'ws';
import type { RawData } from 'ws';
import { requestFailure } from '../classify-error.js';
import { TransportFailure } from '../transport-failure.js';
import { webSocketPayload, type WebSocketEcho } from './websocket-message.js';

/**
 * Hands out the echoes of an open WebSocket one at a time, as a `websocket` exchange sends its
 * messages one at a time. The waits fail as the causes say: no echo within the idle limit
 * is `timeout_idle`, a WebSocket closed (close frame or broken stream) before the echo is `reset`,
 * the session's whole limit `timeout_total`, a frame that breaks RFC 6455 `integrity`. A message
 * nobody waits for is `integrity` too: the echo sends exactly one message per message.
 */
export class WebSocketEchoes {
  private failure: unknown;
  private arrived: WebSocketEcho | undefined;
  private waiter: { resolve(echo: WebSocketEcho): void; reject(err: unknown): void; what: string; idle: NodeJS.Timeout } | undefined;
  private readonly totalTimer: NodeJS.Timeout;

  /**
   * @param idleMs longest wait for one echo, ms
   * @param totalMs what is left of the session's whole limit, ms
   */
  constructor(
    private readonly ws: WebSocket,
    private readonly idleMs: number,
    totalMs: number,
    signal: AbortSignal,
  ) {
    ws.on('message', (data: RawData, isBinary: boolean) => this.onMessage({ data: webSocketPayload(data), isBinary }));
    ws.on('close', (code: number) => this.fail(new TransportFailure('reset', `the WebSocket was closed (code ${code})`)));
    ws.on('error', (err: Error) => this.fail(frameFailure(err)));
    this.totalTimer = setTimeout(() => this.fail(new TransportFailure('timeout_total', `the exchange took longer than ${totalMs} ms`)), totalMs);
    this.totalTimer.unref();
    signal.addEventListener('abort', () => this.fail(new TransportFailure('other', 'the run ended while the exchange was open')), { once: true });
  }

  /** Resolves with the next message (`what` names it for a failure's detail). */
  next(what: string): Promise<WebSocketEcho> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const arrived = this.arrived;
    if (arrived) {
      this.arrived = undefined;
      return Promise.resolve(arrived);
    }
    return new Promise((resolve, reject) => {
      const idle = setTimeout(() => this.fail(new TransportFailure('timeout_idle', `no message for ${this.idleMs} ms while waiting for ${what}`)), this.idleMs);
      idle.unref();
      this.waiter = { resolve, reject, what, idle };
    });
  }

  /** Stops the timers and stops listening; failures after this are nobody's. */
  dispose(): void {
    clearTimeout(this.totalTimer);
    if (this.waiter) clearTimeout(this.waiter.idle);
    this.waiter = undefined;
    this.failure ??= new TransportFailure('other', 'the exchange is over');
    this.ws.removeAllListeners('message');
    this.ws.removeAllListeners('close');
  }

  private onMessage(echo: WebSocketEcho): void {
    if (this.failure !== undefined) return;
    const waiter = this.waiter;
    if (waiter) {
      clearTimeout(waiter.idle);
      this.waiter = undefined;
      waiter.resolve(echo);
    } else if (this.arrived) {
      this.fail(new TransportFailure('integrity', 'a message arrived that was not sent (two echoes for one message)'));
    } else {
      this.arrived = echo;
    }
  }

  private fail(err: unknown): void {
    if (this.failure !== undefined) return;
    const waiter = this.waiter;
    // A close while waiting names what never came.
    this.failure = waiter && err instanceof TransportFailure && err.failureCause === 'reset'
      ? new TransportFailure('reset', `${err.detail} before ${waiter.what} arrived`)
      : err;
    if (!waiter) return;
    clearTimeout(waiter.idle);
    this.waiter = undefined;
    waiter.reject(this.failure);
  }
}

/** ws's own errors (`WS_ERR_*`) are frames that break RFC 6455; the rest are the stream's. */
function frameFailure(err: Error): TransportFailure {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('WS_ERR_')) return new TransportFailure('integrity', `the WebSocket framing is broken: ${err.message} (${code})`);
  const { cause, detail } = requestFailure(err);
  return new TransportFailure(cause, detail);
}

