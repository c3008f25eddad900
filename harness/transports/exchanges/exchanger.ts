import type { PreparedExchange, RttSink } from '../../../core/exchange.js';
import type { RequestOutcome } from '../../../core/request.js';
import type { Protocol } from '../../../core/scenario.js';
import { ExchangeSession } from './exchange-session.js';
import type { ExchangerOptions } from './exchanger-options.js';
import { runTcpBulk } from './tcp-bulk-exchange.js';
import { runTcpEcho } from './tcp-echo-exchange.js';
import { runUdpEcho } from './udp-echo-exchange.js';
import { runWebSocket } from './websocket-exchange.js';

/**
 * The seam for stream operations, beside the Transport of HTTP requests: an Exchanger carries out
 * one exchange (a session of messages or one bulk transfer on a stream, WebSocket or UDP
 * association of its own) through one kind of proxy and says what happened. Like a transport it
 * never rejects and never sees the load model (docs/architecture.md).
 */

export type { ExchangerOptions };

/** One exchange through one kind of proxy. */
export interface Exchanger {
  readonly protocol: Protocol;
  /**
   * Carries out `exchange` and resolves with its outcome (its `messages` tally for the message
   * operations); each verified message's round trip goes to `onRtt` as it completes. Never rejects.
   */
  execute(exchange: PreparedExchange, onRtt: RttSink): Promise<RequestOutcome>;
  /** Ends every session still open (their outcomes are failures) and waits for them. */
  close(): Promise<void>;
}

/** The exchanger for `options.protocol`. */
export function createExchanger(options: ExchangerOptions): Exchanger {
  const open = new Set<ExchangeSession>();
  let closed = false;
  return {
    protocol: options.protocol,
    async execute(exchange, onRtt) {
      const session = new ExchangeSession(options);
      if (closed) session.abort();
      open.add(session);
      try {
        return await runExchange(session, exchange, onRtt);
      } finally {
        open.delete(session);
      }
    },
    async close() {
      closed = true;
      await Promise.all([...open].map((session) => session.abortAndSettle()));
    },
  };
}

function runExchange(session: ExchangeSession, exchange: PreparedExchange, onRtt: RttSink): Promise<RequestOutcome> {
  switch (exchange.op) {
    case 'tcp-echo':
      return runTcpEcho(session, exchange, onRtt);
    case 'tcp-bulk':
      return runTcpBulk(session, exchange);
    case 'websocket':
      return runWebSocket(session, exchange, onRtt);
    case 'udp-echo':
      return runUdpEcho(session, exchange, onRtt);
  }
}
