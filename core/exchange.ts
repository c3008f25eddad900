import type { StreamDirection } from './origin-wire/stream-contract.js';
import type { StreamOperation, WebSocketFormat } from './scenario.js';

/**
 * The words of one *exchange* — a stream operation's session (core/scenario.ts StreamOperation) —
 * that the worker plan prepares once per kind and the exchangers (harness/transports/exchanges/)
 * carry out: where the stream target is, what to send, and the seed every byte is made from
 * (docs/targets.md, core/origin-wire/stream-contract.ts).
 */

/** Where a stream target listens (an IP literal or a name the proxy resolves). */
export interface StreamTarget {
  readonly host: string;
  readonly port: number;
}

interface ExchangeBase {
  /** The report's `byKind` key. */
  readonly kind: string;
  readonly target: StreamTarget;
  /** Seed of the stream bytes this kind sends and expects (differs per kind, like HTTP bodies). */
  readonly seed: number;
}

/** One exchange kind, prepared once before the run and reused for every session of that kind. */
export type PreparedExchange =
  | (ExchangeBase & { readonly op: 'tcp-echo'; readonly messageBytes: number; readonly messages: number })
  | (ExchangeBase & { readonly op: 'tcp-bulk'; readonly bytes: number; readonly direction: StreamDirection })
  | (ExchangeBase & {
      readonly op: 'websocket';
      /** `wss://` (TLS with the target, the test CA trusted) rather than `ws://`. */
      readonly tls: boolean;
      readonly messageBytes: number;
      readonly messages: number;
      readonly format: WebSocketFormat;
    })
  | (ExchangeBase & { readonly op: 'udp-echo'; readonly datagramBytes: number; readonly datagrams: number; readonly ratePerSecond: number });

/**
 * What became of one exchange's messages (datagrams for UDP). `received` counts distinct messages
 * whose echo came back verified; `lost` those sent whose echo never came (a UDP datagram, or the
 * rest of a stream's messages after it failed); `reordered` echoes that arrived after a later
 * message's; `duplicates` echoes of a message already received. Streams keep order and never
 * duplicate, so for them the last two stay 0 (a stream whose bytes come back out of order fails
 * as `integrity`).
 */
export interface MessageTally {
  readonly sent: number;
  readonly received: number;
  readonly lost: number;
  readonly reordered: number;
  readonly duplicates: number;
}

/**
 * Where an exchanger reports each message's round trip, in µs, as it completes, so no exchange
 * keeps a list of them (the worker records them straight into the kind's `rtt` histogram).
 */
export type RttSink = (rttUs: number) => void;

/** Where the run's stream targets listen (docs/targets.md); each present when the mix needs it. */
export interface StreamTargets {
  readonly tcpEcho?: StreamTarget;
  readonly tcpSourceSink?: StreamTarget;
  readonly webSocketEcho?: StreamTarget;
  readonly webSocketEchoTls?: StreamTarget;
  readonly udpEcho?: StreamTarget;
}

/** One stream target's key. */
export type StreamTargetName = keyof StreamTargets;

/** The stream target a stream operation goes to (docs/targets.md); `origin` picks ws or wss. */
export function streamTargetNameOf(origin: 'http' | 'https', op: StreamOperation): StreamTargetName {
  switch (op.op) {
    case 'tcp-echo':
      return 'tcpEcho';
    case 'tcp-bulk':
      return 'tcpSourceSink';
    case 'websocket':
      return origin === 'https' ? 'webSocketEchoTls' : 'webSocketEcho';
    case 'udp-echo':
      return 'udpEcho';
  }
}
