import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyCredentials, ProxyEndpoint } from '../../core/proxy-url.js';
import type { PhaseTimeouts } from '../../core/request.js';
import { delayPath } from '../../core/origin-wire/origin-paths.js';
import {
  startCorruptingHttpProxy,
  startRefusingHttpProxy,
  startStallingProxy,
  startTruncatingHttpProxy,
  type FaultyProxy,
  type StallOptions,
} from '../fixtures/faulty-proxies.js';
import { CREDENTIALS, download, httpEndpoint, socksEndpoint, startStack, transportFor, type Route, type Stack } from '../support/transport-stack.js';
import { startUnacceptingListener } from '../fixtures/unaccepting-listener.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
});

const FORWARD: Route = { protocol: 'http-forward', origin: 'http' };
const CONNECT: Route = { protocol: 'connect', origin: 'https' };
const SOCKS5: Route = { protocol: 'socks5', origin: 'http' };
const DIRECT: Route = { protocol: 'direct', origin: 'http' };
const SMALL_LIMITS: Partial<PhaseTimeouts> = { connectMs: 200, handshakeMs: 200, ttfbMs: 200, idleMs: 200 };

/** Sends one 64 KiB GET over `route` (through `proxy` if given) and returns its outcome. */
async function getOnce(route: Route, options: { proxy?: ProxyEndpoint; timeouts?: Partial<PhaseTimeouts>; path?: string } = {}) {
  const transport = transportFor(stack, route, options);
  try {
    const origin = route.origin === 'https' ? stack.https.address : stack.http.address;
    return await transport.execute(download(origin, 64 * 1024, 5, options.path));
  } finally {
    await transport.close();
  }
}

async function withProxy<T>(start: Promise<FaultyProxy>, use: (proxy: FaultyProxy) => Promise<T>): Promise<T> {
  const proxy = await start;
  try {
    return await use(proxy);
  } finally {
    await proxy.close();
  }
}

/** A port on 127.0.0.1 where nothing listens (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('a misbehaving proxy', () => {
  it('that corrupts the body makes an integrity failure with every byte still counted', async () => {
    const outcome = await withProxy(startCorruptingHttpProxy({ allow: stack.allow, every: 1 }), (proxy) => getOnce(FORWARD, { proxy: httpEndpoint(proxy) }));
    expect(outcome).toMatchObject({ ok: false, cause: 'integrity', statusCode: 200, bytesIn: 64 * 1024 });
    expect(outcome.detail).toContain('corrupt');
  });

  // The proxy forwards Content-Length: 65536, then 32 KiB, then a FIN: the connection ended before
  // the HTTP framing said the body was complete, so the transport broke (reset), rather than a
  // complete message carrying wrong bytes (integrity). The half that arrived is still counted.
  it('that cuts the body in half and closes makes a reset after 32 KiB', async () => {
    const outcome = await withProxy(startTruncatingHttpProxy({ allow: stack.allow }), (proxy) => getOnce(FORWARD, { proxy: httpEndpoint(proxy) }));
    expect(outcome).toMatchObject({ ok: false, cause: 'reset', statusCode: 200, bytesIn: 32 * 1024, staleRetried: false });
    expect(outcome.detail).toContain('mid-response');
  });

  it.each([
    { route: FORWARD, detail: 'proxy answered 502' },
    { route: CONNECT, detail: 'CONNECT answered 502' },
  ])('that answers 502 itself is proxy_refused for $route.protocol', async ({ route, detail }) => {
    const outcome = await withProxy(startRefusingHttpProxy({ status: 502 }), (proxy) => getOnce(route, { proxy: httpEndpoint(proxy) }));
    expect(outcome).toMatchObject({ ok: false, cause: 'proxy_refused', detail });
  });
});

describe('an origin answering 404 through the proxy', () => {
  it.each([DIRECT, FORWARD, CONNECT, SOCKS5])('is http_status for $protocol', async (route) => {
    const outcome = await getOnce(route, { path: '/no-such-path' });
    expect(outcome).toMatchObject({ ok: false, cause: 'http_status', statusCode: 404, detail: 'origin answered 404' });
  });
});

describe('a proxy port where nothing listens', () => {
  it.each([FORWARD, CONNECT, SOCKS5])('is proxy_unreachable for $protocol, with no connection', async (route) => {
    const port = await closedPort();
    const proxy = route.protocol === 'socks5' ? socksEndpoint({ host: '127.0.0.1', port }) : httpEndpoint({ host: '127.0.0.1', port });
    const outcome = await getOnce(route, { proxy });
    expect(outcome).toMatchObject({ ok: false, cause: 'proxy_unreachable', connection: 'none', statusCode: 0, ttfbUs: -1 });
    expect(outcome.detail).toContain('ECONNREFUSED');
  });
});

describe('proxy credentials', () => {
  const wrong: ProxyCredentials = { username: 'bench', password: 'not-the-password' };
  it.each([
    { given: 'wrong', route: FORWARD, auth: wrong },
    { given: 'missing', route: FORWARD, auth: undefined },
    { given: 'wrong', route: CONNECT, auth: wrong },
    { given: 'missing', route: CONNECT, auth: undefined },
    { given: 'wrong', route: SOCKS5, auth: wrong },
    { given: 'missing', route: SOCKS5, auth: undefined },
  ])('that are $given make proxy_auth for $route.protocol, and the detail holds no password', async ({ route, auth }) => {
    const proxy = route.protocol === 'socks5' ? socksEndpoint(stack.authSocksProxy, { auth }) : httpEndpoint(stack.authHttpProxy, auth);
    const outcome = await getOnce(route, { proxy });
    expect(outcome).toMatchObject({ ok: false, cause: 'proxy_auth' });
    expect(outcome.detail).not.toContain(wrong.password);
  });

  it.each([FORWARD, CONNECT, SOCKS5])('that are right let $protocol through', async (route) => {
    const proxy = route.protocol === 'socks5' ? socksEndpoint(stack.authSocksProxy, { auth: CREDENTIALS }) : httpEndpoint(stack.authHttpProxy, CREDENTIALS);
    expect(await getOnce(route, { proxy })).toMatchObject({ ok: true, bytesIn: 64 * 1024 });
  });
});

describe('a proxy that goes silent', () => {
  it.each([
    { phase: 'accept-no-reply', route: FORWARD, cause: 'timeout_ttfb' },
    { phase: 'accept-no-reply', route: CONNECT, cause: 'timeout_handshake' },
    { phase: 'accept-no-reply', route: SOCKS5, cause: 'timeout_handshake' },
    { phase: 'connect-no-reply', route: CONNECT, cause: 'timeout_handshake' },
    { phase: 'connect-no-reply', route: SOCKS5, cause: 'timeout_handshake' },
    { phase: 'headers-then-stall', route: FORWARD, cause: 'timeout_idle' },
  ] as const)('at $phase makes $cause for $route.protocol', async ({ phase, route, cause }) => {
    const options: StallOptions = phase === 'headers-then-stall' ? { phase, allow: stack.allow } : { phase };
    const outcome = await withProxy(startStallingProxy(options), (proxy) => {
      const endpoint = route.protocol === 'socks5' ? socksEndpoint(proxy) : httpEndpoint(proxy);
      return getOnce(route, { proxy: endpoint, timeouts: SMALL_LIMITS });
    });
    expect(outcome).toMatchObject({ ok: false, cause });
    expect(outcome.statusCode).toBe(cause === 'timeout_idle' ? 200 : 0);
  });

  it.each([FORWARD, CONNECT, SOCKS5])('before accepting the TCP connection makes timeout_connect for $protocol', async (route) => {
    const listener = await startUnacceptingListener();
    try {
      const proxy = route.protocol === 'socks5' ? socksEndpoint(listener) : httpEndpoint(listener);
      const outcome = await getOnce(route, { proxy, timeouts: SMALL_LIMITS });
      expect(outcome).toMatchObject({ ok: false, cause: 'timeout_connect', connection: 'none' });
    } finally {
      await listener.close();
    }
  });
});

describe('other failures', () => {
  it.each([
    { protocol: 'direct', origin: 'https' },
    CONNECT,
    { protocol: 'socks5', origin: 'https' },
  ] as const)('an https origin whose CA is not trusted makes tls for $protocol', async (route) => {
    const untrusting = transportFor(stack, route, { trustOriginCa: false });
    try {
      const outcome = await untrusting.execute(download(stack.https.address, 1024));
      expect(outcome).toMatchObject({ ok: false, cause: 'tls', connection: 'none' });
    } finally {
      await untrusting.close();
    }
  });

  it('a response slower than the whole-request limit is timeout_total, whatever phase it is in', async () => {
    const outcome = await getOnce(FORWARD, { timeouts: { totalMs: 150 }, path: delayPath(2_000, 64 * 1024, 5) });
    expect(outcome).toMatchObject({ ok: false, cause: 'timeout_total', statusCode: 0 });
  });

  it('a request pending when the transport closes resolves as a failure instead of hanging', async () => {
    const transport = transportFor(stack, FORWARD);
    const pending = transport.execute(download(stack.http.address, 1024, 1, delayPath(2_000, 1024, 1)));
    await transport.close();
    expect(await pending).toMatchObject({ ok: false, cause: 'other' });
    expect(await transport.execute(download(stack.http.address, 1024))).toMatchObject({ ok: false, cause: 'other', detail: 'the transport is closed' });
  });
});
