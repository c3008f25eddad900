import type { PreparedExchange } from '../../../core/exchange.js';
import type { RequestOutcome } from '../../../core/request.js';
import { TransportFailure } from '../transport-failure.js';
import type { ExchangeSession } from './exchange-session.js';

type TcpBulk = Extract<PreparedExchange, { op: 'tcp-bulk' }>;

/** `tcp-bulk` (docs/targets.md). PLACEHOLDER until the stream helper lands it. */
export function runTcpBulk(session: ExchangeSession, _exchange: TcpBulk): Promise<RequestOutcome> {
  return Promise.resolve(session.failed(new TransportFailure('other', 'tcp-bulk is not built yet')));
}
