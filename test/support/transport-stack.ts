import type { ProxyCredentials, ProxyEndpoint } from '../../core/proxy-url.js';
import { createTransport } from '../../harness/transports/create-transport.js';
import type { OriginAddress, PhaseTimeouts, PreparedRequest } from '../../core/request.js';
import type { Transport, TransportOptions } from '../../harness/transports/transport.js';
import { bodySha256Hex } from '../../core/origin-wire/deterministic-body.js';
import { startOrigin, type RunningOrigin } from '../../mock-targets/origins/http-origin.js';
import { downloadPath, ECHO_DIGEST_PATH } from '../../core/origin-wire/origin-paths.js';
import { Allowlist } from '../../mock-targets/proxies/allowlist.js';
import { startHttpProxy, type RunningProxyServer } from '../../mock-targets/proxies/http-proxy.js';
import { startSocks5Proxy } from '../../mock-targets/proxies/socks5-proxy.js';
import type { ConnectionPolicy, Protocol } from '../../core/scenario.js';

/**
 * The transports' test bench: an HTTP and an HTTPS mock origin, the reference HTTP proxy and
 * SOCKS5 proxy allowed to reach them, all on 127.0.0.1 port 0, and helpers that build transports
 * and prepared requests the way the worker does.
 */

/** Generous limits: tests that are about a timeout set their own small one. */
export const TEST_TIMEOUTS: PhaseTimeouts = { connectMs: 2_000, handshakeMs: 2_000, ttfbMs: 5_000, idleMs: 5_000, totalMs: 10_000 };

/** Credentials of the authenticated proxies. */
export const CREDENTIALS: ProxyCredentials = { username: 'bench', password: 's3cret-pw' };

/** A protocol and the origin it is tested against (TLS inside the tunnel for `connect`). */
export interface Route {
  readonly protocol: Protocol;
  readonly origin: 'http' | 'https';
}

/** The four protocols, each with the origin it is mostly used with, plus TLS through SOCKS5. */
export const ROUTES: readonly Route[] = [
  { protocol: 'direct', origin: 'http' },
  { protocol: 'http-forward', origin: 'http' },
  { protocol: 'connect', origin: 'https' },
  { protocol: 'socks5', origin: 'http' },
  { protocol: 'socks5', origin: 'https' },
];

/** Running origins and proxies. */
export interface Stack {
  readonly http: RunningOrigin;
  readonly https: RunningOrigin;
  readonly allow: Allowlist;
  readonly httpProxy: RunningProxyServer;
  readonly socksProxy: RunningProxyServer;
  readonly authHttpProxy: RunningProxyServer;
  readonly authSocksProxy: RunningProxyServer;
  close(): Promise<void>;
}

/** Starts the stack; close it in afterAll. */
export async function startStack(): Promise<Stack> {
  const [http, https] = await Promise.all([startOrigin(), startOrigin({ tls: true })]);
  const allow = new Allowlist([http.address, https.address]);
  const [httpProxy, socksProxy, authHttpProxy, authSocksProxy] = await Promise.all([
    startHttpProxy({ allow }),
    startSocks5Proxy({ allow }),
    startHttpProxy({ allow, auth: CREDENTIALS }),
    startSocks5Proxy({ allow, auth: CREDENTIALS }),
  ]);
  return {
    http,
    https,
    allow,
    httpProxy,
    socksProxy,
    authHttpProxy,
    authSocksProxy,
    close: async () => {
      await Promise.all([httpProxy, socksProxy, authHttpProxy, authSocksProxy].map((p) => p.close()));
      await Promise.all([http.close(), https.close()]);
    },
  };
}

/** The HTTP proxy endpoint for a listening proxy (optionally with credentials). */
export function httpEndpoint(proxy: { host: string; port: number }, auth?: ProxyCredentials): ProxyEndpoint {
  return { kind: 'http', host: proxy.host, port: proxy.port, ...(auth ? { auth } : {}) };
}

/** The SOCKS5 endpoint for a listening proxy. */
export function socksEndpoint(proxy: { host: string; port: number }, options: { auth?: ProxyCredentials; resolveAtProxy?: boolean } = {}): ProxyEndpoint {
  return { kind: 'socks5', host: proxy.host, port: proxy.port, resolveAtProxy: options.resolveAtProxy ?? false, ...(options.auth ? { auth: options.auth } : {}) };
}

/** Overrides of a transport built by {@link transportFor}. */
export interface TransportOverrides {
  readonly proxy?: ProxyEndpoint;
  readonly origin?: OriginAddress;
  readonly timeouts?: Partial<PhaseTimeouts>;
  readonly connectionPolicy?: ConnectionPolicy;
  readonly maxConnections?: number;
  /** False: do not hand the transport the test CA (the https origin is then untrusted). */
  readonly trustOriginCa?: boolean;
}

/** A transport for `route` through the stack's unauthenticated proxies, unless overridden. */
export function transportFor(stack: Stack, route: Route, overrides: TransportOverrides = {}): Transport {
  const origin = overrides.origin ?? (route.origin === 'https' ? stack.https.address : stack.http.address);
  const defaultProxy = route.protocol === 'socks5' ? socksEndpoint(stack.socksProxy) : httpEndpoint(stack.httpProxy);
  const options: TransportOptions = {
    protocol: route.protocol,
    origin,
    ...(route.protocol === 'direct' ? {} : { proxy: overrides.proxy ?? defaultProxy }),
    maxConnections: overrides.maxConnections ?? 4,
    connectionPolicy: overrides.connectionPolicy ?? 'keep-alive',
    timeouts: { ...TEST_TIMEOUTS, ...overrides.timeouts },
    ...(overrides.trustOriginCa === false ? {} : { originCaPem: stack.https.caPem }),
  };
  return createTransport(options);
}

/** A GET of the deterministic body of `bytes` bytes (seed `seed`) from `origin`. */
export function download(origin: OriginAddress, bytes: number, seed = 1, path = downloadPath(bytes, seed)): PreparedRequest {
  return { kind: `get-${bytes}`, method: 'GET', origin, path, expect: { kind: 'deterministic', bytes, seed } };
}

/** A POST of `bytes` deterministic bytes to the echo-digest endpoint of `origin`. */
export function upload(origin: OriginAddress, bytes: number, seed = 2): PreparedRequest {
  return {
    kind: `post-${bytes}`,
    method: 'POST',
    origin,
    path: ECHO_DIGEST_PATH,
    upload: { bytes, seed },
    expect: { kind: 'upload-digest', bytes, sha256Hex: bodySha256Hex(seed, bytes) },
  };
}
