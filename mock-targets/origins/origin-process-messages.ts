/** Messages between the harness and the origin child process (origin-process.ts). */

/** Which targets to start. */
export interface OriginProcessConfig {
  readonly http: boolean;
  readonly https: boolean;
  readonly tcpEcho: boolean;
}

/** The child's answer. */
export type OriginProcessReply =
  | { readonly type: 'ready'; readonly httpPort?: number; readonly httpsPort?: number; readonly tcpEchoPort?: number; readonly caPem?: string }
  | { readonly type: 'error'; readonly message: string };
