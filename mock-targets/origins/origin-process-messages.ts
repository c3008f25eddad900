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
  /** Address every target listens on; default 127.0.0.1 (`0.0.0.0` for every interface). */
  readonly host?: string;
  /** Fixed ports by target (for manifests); a target left out gets any free port. */
  readonly ports?: TargetPorts;
}

/** A fixed port per target. */
export interface TargetPorts {
  readonly http?: number;
  readonly https?: number;
  readonly tcpEcho?: number;
  readonly tcpSourceSink?: number;
  readonly webSocketEcho?: number;
  readonly webSocketEchoTls?: number;
  readonly udpEcho?: number;
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
