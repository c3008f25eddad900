import type { OriginAddress } from '../../core/request.js';
import { startChildService, type ChildExit } from '../child-service.js';
import type { OriginProcessConfig, OriginProcessReply } from './origin-process-messages.js';

/** The mock targets running in their own process. */
export interface RunningOriginProcess {
  readonly pid: number;
  readonly http?: OriginAddress;
  readonly https?: OriginAddress;
  readonly tcpEcho?: { readonly host: string; readonly port: number };
  /** PEM of the CA the HTTPS origin's certificate chains to. */
  readonly caPem?: string;
  readonly exited: Promise<ChildExit>;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

/** Starts the mock origins (and TCP echo) in a child process on 127.0.0.1 ephemeral ports. */
export async function startOriginProcess(config: OriginProcessConfig): Promise<RunningOriginProcess> {
  const service = await startChildService({
    name: 'the mock origins',
    entry: 'mock-targets/origins/origin-process.js',
    config,
    readyTimeoutMs: 10_000,
    stopGraceMs: 2_000,
    readyFrom: (message) => {
      const reply = message as OriginProcessReply;
      if (reply?.type === 'error') throw new Error(reply.message);
      return reply?.type === 'ready' ? reply : undefined;
    },
  });
  const r = service.ready as Extract<OriginProcessReply, { type: 'ready' }>;
  return {
    pid: service.pid,
    ...(r.httpPort !== undefined ? { http: { protocol: 'http', host: HOST, port: r.httpPort } } : {}),
    ...(r.httpsPort !== undefined ? { https: { protocol: 'https', host: HOST, port: r.httpsPort } } : {}),
    ...(r.tcpEchoPort !== undefined ? { tcpEcho: { host: HOST, port: r.tcpEchoPort } } : {}),
    ...(r.caPem ? { caPem: r.caPem } : {}),
    exited: service.exited,
    stop: service.stop,
  };
}
