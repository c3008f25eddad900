import { Agent, createServer } from 'node:http';
import type { Socket } from 'node:net';
import type { ProxyCredentials } from '../../core/proxy-url.js';
import type { Allowlist } from './allowlist.js';
import { openTunnel } from './http-connect.js';
import { forwardRequest } from './http-forward.js';
import type { HttpProxyContext } from './http-proxy-gate.js';
import type { HttpProxyHooks } from './http-proxy-hooks.js';
import { listenTracked, type RunningProxyServer } from './tracked-server.js';

export type { RunningProxyServer } from './tracked-server.js';

/** How a reference proxy (HTTP or SOCKS5) is started. */
export interface ProxyServerOptions {
  /** The only destinations it connects to; everything else is refused (403 / SOCKS5 REP 0x02). */
  readonly allow: Allowlist;
  /** When set, clients must present these (HTTP Basic in Proxy-Authorization, or RFC 1929). */
  readonly auth?: ProxyCredentials;
  /** Listen address; default `127.0.0.1` (the proxies are never exposed beyond loopback by default). */
  readonly host?: string;
  /** Listen port; default 0, any free port. */
  readonly port?: number;
}

/** Tunables of the HTTP proxy. */
export const DEFAULTS = {
  /** Listen address. */
  host: '127.0.0.1',
  /**
   * How long an idle client connection is kept open, in ms. Longer than most clients keep one
   * (undici 4 s), so it is usually the client, the thing measured, that decides when to close.
   */
  clientKeepAliveTimeoutMs: 65_000,
  /** Longest TCP connect to a CONNECT destination, in ms (then 504). */
  upstreamConnectTimeoutMs: 10_000,
  /** Idle origin connections kept per origin by the keep-alive agent. */
  maxFreeOriginSockets: 1024,
} as const;

/**
 * Starts the reference HTTP forward proxy: absolute-form requests are forwarded through a
 * keep-alive agent (bodies streamed, never buffered), CONNECT opens a raw tunnel. Client
 * connections are kept alive (HTTP/1.1). Nothing is logged per request: the proxy shares the CPU
 * with the load generator.
 *
 * @param hooks internal: the test suite's fault fixtures (test/fixtures/faulty-proxies.ts) inject
 *   their fault here; the reference proxy runs without.
 */
export async function startHttpProxy(options: ProxyServerOptions, hooks: HttpProxyHooks = {}): Promise<RunningProxyServer> {
  const agent = new Agent({
    keepAlive: true,
    maxFreeSockets: DEFAULTS.maxFreeOriginSockets,
    // LIFO reuses the warmest connection and lets surplus ones age out under the origin's timeout.
    scheduling: 'lifo',
    noDelay: true,
  });
  const context: HttpProxyContext = {
    allow: options.allow,
    ...(options.auth ? { auth: options.auth } : {}),
    hooks,
    agent,
    upstreamConnectTimeoutMs: DEFAULTS.upstreamConnectTimeoutMs,
  };
  const server = createServer(
    // node:http cuts a request still arriving after 300 s by default, which would fail a long
    // upload in a long run; the client's own timeouts are the harness's business (as the origin's).
    { noDelay: true, requestTimeout: 0 },
    (request, response) => forwardRequest(context, request, response),
  );
  server.keepAliveTimeout = DEFAULTS.clientKeepAliveTimeoutMs;
  // The typings say Duplex; a plain-TCP http.Server always hands a net.Socket.
  server.on('connect', (request, socket, head) => openTunnel(context, request, socket as Socket, head));
  return listenTracked(server, options.host ?? DEFAULTS.host, options.port ?? 0, () => agent.destroy());
}
