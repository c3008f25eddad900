import type { OriginAddress } from '../../core/request.js';
import { WEBSOCKET_ECHO_PATH } from '../../core/origin-wire/stream-contract.js';
import { startChildService, type ChildExit } from '../child-service.js';
import type { OriginProcessConfig, OriginProcessReply } from './origin-process-messages.js';

/** Where a raw TCP or UDP target listens. */
export interface TargetAddress {
  readonly host: string;
  readonly port: number;
}

/** Where a WebSocket echo listens: `url` is `ws://host:port/echo` (or `wss://`). */
export interface WebSocketTargetAddress extends TargetAddress {
  readonly tls: boolean;
  readonly url: string;
}

/** The mock targets running in their own process. */
export interface RunningOriginProcess {
  readonly pid: number;
  readonly http?: OriginAddress;
  readonly https?: OriginAddress;
  readonly tcpEcho?: TargetAddress;
  /** The TCP source/sink of the stream contract (docs/targets.md), when asked for. */
  readonly tcpSourceSink?: TargetAddress;
  /** The WebSocket echo over `ws://`, when asked for. */
  readonly webSocketEcho?: WebSocketTargetAddress;
  /** The WebSocket echo over `wss://` (trust {@link caPem}), when asked for. */
  readonly webSocketEchoTls?: WebSocketTargetAddress;
  /** The UDP echo, when asked for. */
  readonly udpEcho?: TargetAddress;
  /** PEM of the CA the HTTPS origin's and the wss echo's certificate chains to. */
  readonly caPem?: string;
  readonly exited: Promise<ChildExit>;
  stop(): Promise<void>;
}

/**
 * Starts the mock origins (and the TCP, stream, WebSocket and UDP targets asked for) in a child
 * process, on `config.host` (default 127.0.0.1) and ephemeral ports unless `config.ports` fixes
 * them. The addresses returned name `advertise` when given — the name or address the proxy under
 * test must use (a Service name, `host.docker.internal`) — else the listening address, or
 * 127.0.0.1 for a wildcard one.
 */
export async function startOriginProcess(config: OriginProcessConfig, advertise?: string): Promise<RunningOriginProcess> {
  const listening = config.host ?? '127.0.0.1';
  const HOST = advertise ?? (listening === '0.0.0.0' || listening === '::' ? '127.0.0.1' : listening);
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
    ...(r.tcpSourceSinkPort !== undefined ? { tcpSourceSink: { host: HOST, port: r.tcpSourceSinkPort } } : {}),
    ...(r.webSocketEchoPort !== undefined ? { webSocketEcho: webSocketAddress(HOST, r.webSocketEchoPort, false) } : {}),
    ...(r.webSocketEchoTlsPort !== undefined ? { webSocketEchoTls: webSocketAddress(HOST, r.webSocketEchoTlsPort, true) } : {}),
    ...(r.udpEchoPort !== undefined ? { udpEcho: { host: HOST, port: r.udpEchoPort } } : {}),
    ...(r.caPem ? { caPem: r.caPem } : {}),
    exited: service.exited,
    stop: service.stop,
  };
}

function webSocketAddress(host: string, port: number, tls: boolean): WebSocketTargetAddress {
  const authority = host.includes(':') ? `[${host}]` : host;
  return { host, port, tls, url: `${tls ? 'wss' : 'ws'}://${authority}:${port}${WEBSOCKET_ECHO_PATH}` };
}
