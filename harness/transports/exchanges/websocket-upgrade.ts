import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import WebSocket from 'ws';
import type { StreamTarget } from '../../../core/exchange.js';
import { MAX_WEBSOCKET_MESSAGE_BYTES, WEBSOCKET_ECHO_PATH } from '../../../core/origin-wire/stream-contract.js';
import { requestFailure } from '../classify-error.js';
import { authorityOf } from '../connection-setup.js';
import { TransportFailure } from '../transport-failure.js';

/** How to ask for the WebSocket on a stream that is already open. */
export interface WebSocketUpgradeRequest {
  /** The WebSocket echo the stream leads to (or, in forward mode, that the proxy must reach). */
  readonly target: StreamTarget;
  /**
   * Present when the stream ends at an HTTP forward proxy: the GET goes in absolute-form
   * (`GET http://host:port/echo`, RFC 9112 §3.2.2), with Proxy-Authorization when given.
   */
  readonly forward?: { readonly proxyAuthorization?: string };
  /** Longest wait from the GET written to the answer's head, ms (else `timeout_ttfb`). */
  readonly answerTimeoutMs: number;
  /** Called once when the answer's head arrives, with its status (101 or a refusal). */
  readonly onAnswer: (statusCode: number) => void;
  /** Aborted when the run ends: the upgrade fails as `other`, not as the broken stream it leaves. */
  readonly signal?: AbortSignal;
}

/**
 * Sends the WebSocket opening handshake (RFC 6455 §4.1) on `socket` — a TCP stream or a TLS one
 * that the tunnel opener already set up, SNI and certificate check included — and resolves with
 * the open WebSocket once a valid 101 came back. `ws` is handed the socket through
 * `createConnection` and a `ws://` URL, so it never opens a connection or TLS of its own.
 * permessage-deflate is not offered: the bytes on the wire are the messages'.
 *
 * Rejects with a classified TransportFailure, the socket destroyed: another status through a
 * tunnel or directly is the target's (`http_status`); in forward mode it is the proxy's
 * (`proxy_refused`, 407 `proxy_auth`) — a proxy that forwards the GET but drops the hop-by-hop
 * Upgrade makes the echo answer 426, which is the same refusal seen one hop later.
 */
export function upgradeWebSocket(socket: Duplex, request: WebSocketUpgradeRequest): Promise<WebSocket> {
  const authority = authorityOf(request.target);
  const ws = new WebSocket(`ws://${authority}${WEBSOCKET_ECHO_PATH}`, {
    createConnection: () => socket as Socket,
    perMessageDeflate: false,
    followRedirects: false,
    maxPayload: MAX_WEBSOCKET_MESSAGE_BYTES,
    finishRequest: (req) => {
      if (request.forward) {
        // Set before end(): node:http writes the request line only when the head goes out.
        req.path = `http://${authority}${WEBSOCKET_ECHO_PATH}`;
        if (request.forward.proxyAuthorization !== undefined) req.setHeader('Proxy-Authorization', request.forward.proxyAuthorization);
      }
      req.end();
    },
  });
  return new Promise((resolve, reject) => {
    let answered = false;
    let settled = false;
    const fail = (failure: TransportFailure): void => {
      if (settled) return;
      settled = true;
      request.signal?.removeEventListener('abort', onAbort);
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      ws.terminate();
      socket.destroy();
      reject(failure);
    };
    const answer = (statusCode: number): void => {
      if (answered) return;
      answered = true;
      request.onAnswer(statusCode);
    };
    const onAbort = (): void => fail(new TransportFailure('other', 'the run ended while the exchange was open'));
    request.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => fail(new TransportFailure('timeout_ttfb', `no answer to the WebSocket upgrade within ${request.answerTimeoutMs} ms`)), request.answerTimeoutMs);
    timer.unref();
    ws.once('upgrade', (res: IncomingMessage) => answer(res.statusCode ?? 101));
    ws.once('unexpected-response', (_req, res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      answer(status);
      fail(refusal(status, request.forward !== undefined));
    });
    ws.once('open', () => {
      settled = true;
      request.signal?.removeEventListener('abort', onAbort);
      clearTimeout(timer);
      ws.removeAllListeners();
      resolve(ws);
    });
    ws.once('error', (err: Error) => fail(upgradeFailure(err, answered)));
    if (request.signal?.aborted) onAbort();
  });
}

/** The cause of a non-101 answer: whose it is depends on where the stream ends. */
function refusal(statusCode: number, forward: boolean): TransportFailure {
  if (!forward) return new TransportFailure('http_status', `the target answered ${statusCode} to the WebSocket upgrade`);
  if (statusCode === 407) return new TransportFailure('proxy_auth', 'proxy answered 407 (authentication required) to the WebSocket upgrade');
  return new TransportFailure('proxy_refused', `the proxy does not forward WebSocket upgrades: answered ${statusCode}`);
}

/** An error before the WebSocket opened: a broken stream, or a 101 that is not a valid WebSocket handshake. */
function upgradeFailure(err: Error, answered: boolean): TransportFailure {
  if (answered && !('code' in err && typeof err.code === 'string' && err.code.startsWith('E'))) {
    // ws checks Upgrade and Sec-WebSocket-Accept after the 101 (RFC 6455 §4.2.2): a wrong one is wrong bytes.
    return new TransportFailure('integrity', `the 101 answer is not a valid WebSocket handshake: ${err.message}`);
  }
  const { cause, detail } = requestFailure(err);
  return new TransportFailure(cause, answered ? detail : `before the answer to the WebSocket upgrade: ${detail}`);
}
