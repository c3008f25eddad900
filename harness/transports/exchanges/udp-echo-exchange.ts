import type { PreparedExchange, RttSink } from '../../../core/exchange.js';
import type { RequestOutcome } from '../../../core/request.js';
import { TransportFailure } from '../transport-failure.js';
import type { ExchangeSession } from './exchange-session.js';

type UdpEcho = Extract<PreparedExchange, { op: 'udp-echo' }>;

/** `udp-echo` (docs/targets.md). PLACEHOLDER until the UDP helper lands it. */
export function runUdpEcho(session: ExchangeSession, _exchange: UdpEcho, _onRtt: RttSink): Promise<RequestOutcome> {
  return Promise.resolve(session.failed(new TransportFailure('other', 'udp-echo is not built yet')));
}
