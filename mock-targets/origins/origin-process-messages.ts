/** Messages between the harness and the origin child process (origin-process.ts). */

/**
 * Which targets to start. The stream targets (docs/targets.md) are optional and off unless asked
 * for, so a caller that knows only the HTTP origins and the TCP echo starts nothing more.
 */
export interface OriginProcessConfig {
  readonly http: boolean;
  readonly https: boolean;
  readonly tcpEcho: boolean;
  /** The TCP source/sink (`PBSTREAM` header: down, up, both). */
  readonly tcpSourceSink?: boolean;
  /** The WebSocket echo over plain `ws://`. */
  readonly webSocketEcho?: boolean;
  /** The WebSocket echo over `wss://` with the test certificate. */
  readonly webSocketEchoTls?: boolean;
  /** The UDP echo. */
  readonly udpEcho?: boolean;
}

/** The child's answer: the port of each target it started; `caPem` when an HTTPS or wss target runs. */
export type OriginProcessReply =
  | {
      readonly type: 'ready';
      readonly httpPort?: number;
      readonly httpsPort?: number;
      readonly tcpEchoPort?: number;
      readonly tcpSourceSinkPort?: number;
      readonly webSocketEchoPort?: number;
      readonly webSocketEchoTlsPort?: number;
      readonly udpEchoPort?: number;
      readonly caPem?: string;
    }
  | { readonly type: 'error'; readonly message: string };
