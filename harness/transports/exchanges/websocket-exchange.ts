import type WebSocket from 'ws';
import type { MessageTally, PreparedExchange, RttSink } from '../../../core/exchange.js';
import type { RequestOutcome } from '../../../core/request.js';
import { basicProxyAuthorization } from '../basic-auth.js';
import { elapsedUs } from '../connection-setup.js';
import type { ExchangeSession } from './exchange-session.js';
import { WebSocketEchoes } from './websocket-echoes.js';
import { checkWebSocketEcho, webSocketMessage } from './websocket-message.js';
import { upgradeWebSocket } from './websocket-upgrade.js';

type WebSocketExchange = Extract<PreparedExchange, { op: 'websocket' }>;

/**
 * `websocket` (docs/targets.md): one stream to the WebSocket echo through the proxy (TLS inside it
 * for `wss://`; in forward mode TCP to the proxy, which must forward the upgrade), the opening
 * handshake on it, then, one at a time, message i sent and its echo awaited and checked whole.
 * The answer to the upgrade is the exchange's `ttfb`, so the WebSocket's connection time is
 * connect + proxyHandshake + tls + that answer. A message's round trip runs from its send to its
 * echo's arrival. The exchange ends with a close handshake (1000); `bytesIn`/`bytesOut` count
 * message payloads.
 */
export async function runWebSocket(session: ExchangeSession, exchange: WebSocketExchange, onRtt: RttSink): Promise<RequestOutcome> {
  const { messageBytes, messages, seed, format } = exchange;
  const { idleMs, ttfbMs, totalMs } = session.options.timeouts;
  let sent = 0;
  let received = 0;
  const tally = (): MessageTally => ({ sent, received, lost: sent - received, reordered: 0, duplicates: 0 });
  let echoes: WebSocketEchoes | undefined;
  try {
    const { socket } = await session.openStream(exchange.target, exchange.tls);
    const proxy = session.options.proxy;
    const ws = await upgradeWebSocket(socket, {
      target: exchange.target,
      ...(session.options.protocol === 'http-forward'
        ? { forward: proxy?.auth ? { proxyAuthorization: basicProxyAuthorization(proxy.auth) } : {} }
        : {}),
      answerTimeoutMs: ttfbMs,
      signal: session.signal,
      onAnswer: (statusCode) => {
        session.noteFirstAnswer();
        session.statusCode = statusCode;
      },
    });
    echoes = new WebSocketEchoes(ws, idleMs, Math.max(1, totalMs - elapsedUs(session.startMs) / 1000), session.signal);
    for (let i = 0; i < messages; i++) {
      const message = webSocketMessage(seed, format, i, messageBytes);
      const sentAtMs = performance.now();
      ws.send(message, { binary: format === 'binary' });
      sent++;
      session.bytesOut += messageBytes;
      const echo = await echoes.next(`the echo of message ${i + 1} of ${messages}`);
      session.bytesIn += echo.data.length;
      checkWebSocketEcho(echo, message, format, i);
      received++;
      onRtt(elapsedUs(sentAtMs));
    }
    echoes.dispose();
    await closeWebSocket(ws, idleMs);
    return session.succeeded(tally());
  } catch (err) {
    return session.failed(err, tally());
  } finally {
    echoes?.dispose();
    session.abort(); // destroys the stream, whatever state it is in
  }
}

/**
 * Sends a close frame (1000) and waits until the peer's close ends the connection, at most
 * `timeoutMs`: every message is verified by then, so a proxy slow to relay the close costs time
 * but not the exchange.
 */
function closeWebSocket(ws: WebSocket, timeoutMs: number): Promise<void> {
  if (ws.readyState === ws.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    timer.unref();
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.on('error', () => undefined);
    ws.close(1000);
  });
}
