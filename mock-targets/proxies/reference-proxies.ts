import type { HttpProxyEndpoint, ProxyCredentials, Socks5ProxyEndpoint } from '../../core/proxy-url.js';
import { startChildService } from '../child-service.js';
import type { Destination } from './allowlist.js';
import { isProxyProcessReply, type ProxyProcessConfig, type ProxyProcessReply } from './proxy-process-messages.js';

/** What to start in the reference proxies' child process. */
export interface ReferenceProxiesOptions {
  /** Start the HTTP forward + CONNECT proxy. */
  readonly http: boolean;
  /** Start the SOCKS5 server. */
  readonly socks5: boolean;
  /** The only destinations the proxies may reach (the run's mock targets). */
  readonly allow: readonly Destination[];
  /** Credentials both proxies require, if any. */
  readonly auth?: ProxyCredentials;
  /** From fork to the ready message, at most, in ms (default {@link DEFAULTS}.readyTimeoutMs). */
  readonly readyTimeoutMs?: number;
}

/** How the child process ended. */
export interface ReferenceProxiesExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** The running reference proxies. */
export interface RunningReferenceProxies {
  /** The child process to sample for RSS and CPU. */
  readonly pid: number;
  /** `{ kind: 'http', host: '127.0.0.1', port, auth? }` when asked for. */
  readonly http?: HttpProxyEndpoint;
  /** `{ kind: 'socks5', host: '127.0.0.1', port, resolveAtProxy: false, auth? }` when asked for. */
  readonly socks5?: Socks5ProxyEndpoint;
  /** Spawn to ready, ms. */
  readonly startupMs: number;
  /** Resolves when the child exits, on stop() or early (a crash during the run). */
  readonly exited: Promise<ReferenceProxiesExit>;
  /** SIGTERM, SIGKILL after {@link DEFAULTS}.stopGraceMs; resolves when the child has exited. */
  stop(): Promise<void>;
}

/** Tunables of the reference proxies' process. */
export const DEFAULTS = {
  /** Fork to ready, at most, ms. */
  readyTimeoutMs: 10_000,
  /** SIGTERM to SIGKILL on stop, ms. */
  stopGraceMs: 2_000,
} as const;

const CHILD_ENTRY = 'mock-targets/proxies/proxy-process.js';
const HOST = '127.0.0.1';

type ReadyReply = Extract<ProxyProcessReply, { type: 'ready' }>;

/**
 * Forks the reference proxies (dist/mock-targets/proxies/proxy-process.js) and waits for their
 * ports. Rejects with a SetupError (quoting the child's last stderr lines) if the entry is
 * not built, or the child exits, reports an error or is not ready in time; the child is then killed.
 */
export async function startReferenceProxies(options: ReferenceProxiesOptions): Promise<RunningReferenceProxies> {
  const config: ProxyProcessConfig = { http: options.http, socks5: options.socks5, allow: options.allow, ...(options.auth ? { auth: options.auth } : {}) };
  const service = await startChildService<ReadyReply>({
    name: 'the reference proxies',
    entry: CHILD_ENTRY,
    config,
    readyTimeoutMs: options.readyTimeoutMs ?? DEFAULTS.readyTimeoutMs,
    stopGraceMs: DEFAULTS.stopGraceMs,
    readyFrom: (message) => {
      if (!isProxyProcessReply(message)) return undefined;
      if (message.type === 'error') throw new Error(message.message);
      return message;
    },
  });
  const ready = service.ready;
  const auth = options.auth ? { auth: options.auth } : {};
  return {
    pid: service.pid,
    ...(ready.httpPort !== undefined ? { http: { kind: 'http', host: HOST, port: ready.httpPort, ...auth } } : {}),
    ...(ready.socksPort !== undefined
      ? { socks5: { kind: 'socks5', host: HOST, port: ready.socksPort, resolveAtProxy: false, ...auth } }
      : {}),
    startupMs: service.startupMs,
    exited: service.exited,
    stop: service.stop,
  };
}
