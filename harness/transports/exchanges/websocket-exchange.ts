import type { PreparedExchange, RttSink } from '../../../core/exchange.js';
import type { RequestOutcome } from '../../../core/request.js';
import { TransportFailure } from '../transport-failure.js';
import type { ExchangeSession } from './exchange-session.js';

type WebSocketExchange = Extract<PreparedExchange, { op: 'websocket' }>;

/** `websocket` (docs/targets.md). PLACEHOLDER until the WebSocket helper lands it. */
export function runWebSocket(session: ExchangeSession, _exchange: WebSocketExchange, _onRtt: RttSink): Promise<RequestOutcome> {
  return Promise.resolve(session.failed(new TransportFailure('other', 'websocket is not built yet')));
}
