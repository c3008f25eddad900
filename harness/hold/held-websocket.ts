import { performance } from 'node:perf_hooks';
import type { RawData, WebSocket } from 'ws';
import type { WebSocketFormat } from '../../core/scenario.js';
import type { PhaseTimeouts, RequestOutcome } from '../../core/request.js';
import type { Held, HeldStrategy } from './held-strategy.js';
import {
  basicProxyAuthorization,
  checkWebSocketEcho,
  elapsedUs,
  TransportFailure,
  tunnelOpenerFor,
  upgradeWebSocket,
  webSocketMessage,
  webSocketPayload,
  type ClassifiedError,
  type TunnelRoute,
  type WebSocketEcho,
} from '../transports/index.js';

/** What a held WebSocket's trickle sends: message i of `messageBytes` of the stream of `seed` (docs/targets.md). */
export interface HeldWebSocketMessages {
  readonly seed: number;
  readonly format: WebSocketFormat;
  readonly messageBytes: number;
}

/**
 * WebSockets to the echo at `route.origin` (ws://, or wss:// for an https origin): the tunnel as
 * for a bare held tunnel, then the upgrade on it (in forward mode an absolute-form GET to the
 * proxy). A refused upgrade fails the attempt with the upgrade's cause (websocket-upgrade.ts).
 */
export function heldWebSockets(route: TunnelRoute, messages: HeldWebSocketMessages): HeldStrategy {
  const openTunnel = tunnelOpenerFor(route);
  const forward = route.protocol === 'http-forward' ? (route.proxy?.auth ? { proxyAuthorization: basicProxyAuthorization(route.proxy.auth) } : {}) : undefined;
  return {
    async open(onEndedEarly) {
      const { socket, timings } = await openTunnel();
      const ws = await upgradeWebSocket(socket, {
        target: { host: route.origin.host, port: route.origin.port },
        ...(forward ? { forward } : {}),
        answerTimeoutMs: route.timeouts.ttfbMs,
        onAnswer: () => undefined,
      });
      return { held: new HeldWebSocket(ws, onEndedEarly, messages, route.timeouts), timings };
    },
  };
}

/**
 * One WebSocket of a hold run. It notices a close by the proxy or the echo (`onEndedEarly`, once),
 * and in trickle mode sends one message at a time and checks its echo whole within the idle limit.
 * A failed trickle leaves the WebSocket in an unknown state, so it is closed and counts as ended early.
 */
class HeldWebSocket implements Held {
  private pending: ((echo: WebSocketEcho | undefined) => void) | undefined;
  private sentMessages = 0;
  private closedByUs = false;
  private ended = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly onEndedEarly: () => void,
    private readonly messages: HeldWebSocketMessages,
    private readonly timeouts: Pick<PhaseTimeouts, 'idleMs'>,
  ) {
    ws.on('message', (data: RawData, isBinary: boolean) => this.onMessage({ data: webSocketPayload(data), isBinary }));
    // 'close' follows every error; what ended the WebSocket is counted there or by the trickle.
    ws.on('error', () => undefined);
    ws.once('close', () => this.onClose());
  }

  get isOpen(): boolean {
    return !this.ended;
  }

  trickle(): Promise<RequestOutcome> {
    const { seed, format, messageBytes } = this.messages;
    const index = this.sentMessages++;
    const message = webSocketMessage(seed, format, index, messageBytes);
    const startMs = performance.now();
    return new Promise((resolve) => {
      const settle = (failure: ClassifiedError | undefined): void => {
        clearTimeout(timer);
        this.pending = undefined;
        if (failure) this.ws.terminate();
        resolve(trickleOutcome(messageBytes, failure, elapsedUs(startMs)));
      };
      const timer = setTimeout(() => settle({ cause: 'timeout_idle', detail: `no echo of message ${index + 1} within ${this.timeouts.idleMs} ms` }), this.timeouts.idleMs);
      this.pending = (echo) => {
        if (echo === undefined) return settle({ cause: 'reset', detail: `the WebSocket was closed before the echo of message ${index + 1} arrived` });
        try {
          checkWebSocketEcho(echo, message, format, index);
          settle(undefined);
        } catch (err) {
          settle(err instanceof TransportFailure ? { cause: err.failureCause, detail: err.detail } : { cause: 'other', detail: String(err) });
        }
      };
      if (this.ended) return this.pending(undefined);
      this.ws.send(message, { binary: format === 'binary' });
    });
  }

  close(): void {
    this.closedByUs = true;
    this.ws.terminate();
  }

  private onMessage(echo: WebSocketEcho): void {
    // Nothing was sent: a message now means the echo is out of step, and no later one could be trusted.
    if (!this.pending) return void this.ws.terminate();
    this.pending(echo);
  }

  private onClose(): void {
    this.ended = true;
    this.pending?.(undefined);
    if (!this.closedByUs) this.onEndedEarly();
  }
}

function trickleOutcome(messageBytes: number, failure: ClassifiedError | undefined, totalUs: number): RequestOutcome {
  const ok = failure === undefined;
  return {
    ok,
    ...(failure ? { cause: failure.cause, detail: failure.detail } : {}),
    statusCode: 101,
    // The echo is the answer: its round trip is the trickle's ttfb and total alike.
    ttfbUs: ok ? totalUs : -1,
    totalUs,
    bytesIn: ok ? messageBytes : 0,
    bytesOut: messageBytes,
    connection: 'reused',
    connectUs: -1,
    proxyHandshakeUs: -1,
    tlsUs: -1,
    staleRetried: false,
    originUs: -1,
    messages: { sent: 1, received: ok ? 1 : 0, lost: ok ? 0 : 1, reordered: 0, duplicates: 0 },
  };
}

