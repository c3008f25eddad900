import { randomBytes } from 'node:crypto';
import { Agent, createServer, type IncomingHttpHeaders } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BodyVerifier, bodyBlocks, bodySha256Hex } from '../../core/origin-wire/deterministic-body.js';
import { startOrigin, type RunningOrigin } from '../../mock-targets/origins/http-origin.js';
import { downloadPath, ECHO_DIGEST_PATH } from '../../core/origin-wire/origin-paths.js';
import { startTcpEcho, type RunningTcpEcho } from '../../mock-targets/origins/tcp-echo.js';
import { Allowlist } from '../../mock-targets/proxies/allowlist.js';
import { startHttpProxy, type RunningProxyServer } from '../../mock-targets/proxies/http-proxy.js';
import { freePort } from '../support/free-port.js';
import { basic, connectThrough, requestViaProxy } from '../support/proxy-client.js';

/** A tiny origin that answers every request with the headers it received, and counts connections. */
async function startHeaderEchoOrigin(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(req.headers));
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

/**
 * An origin that answers the first request on each connection (keep-alive, 2 bytes) and drops the
 * connection when a second one arrives on it: the race of RFC 9112 §9.3.1, made certain.
 */
async function startOneShotOrigin(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    connections += 1;
    sockets.add(socket);
    let requests = 0;
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      if (!chunk.includes('\r\n\r\n')) return;
      requests += 1;
      if (requests === 1) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok');
      else socket.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    close: () => new Promise((resolve) => (sockets.forEach((socket) => socket.destroy()), server.close(() => resolve()))),
  };
}

describe('the reference HTTP proxy', () => {
  let origin: RunningOrigin;
  let echo: RunningTcpEcho;
  let headerOrigin: Awaited<ReturnType<typeof startHeaderEchoOrigin>>;
  let closedPort: number;
  let proxy: RunningProxyServer;
  let authProxy: RunningProxyServer;
  let originUrl: string;

  beforeAll(async () => {
    [origin, echo, headerOrigin, closedPort] = await Promise.all([startOrigin(), startTcpEcho(), startHeaderEchoOrigin(), freePort()]);
    originUrl = `http://127.0.0.1:${origin.address.port}`;
    const allow = new Allowlist([
      { host: '127.0.0.1', port: origin.address.port },
      { host: '127.0.0.1', port: echo.port },
      { host: '127.0.0.1', port: headerOrigin.port },
      { host: '127.0.0.1', port: closedPort },
    ]);
    proxy = await startHttpProxy({ allow });
    authProxy = await startHttpProxy({ allow, auth: { username: 'bench', password: 's3cret:x' } });
  });

  afterAll(async () => {
    await Promise.all([proxy.close(), authProxy.close(), origin.close(), echo.close(), headerOrigin.close()]);
  });

  it('forwards an absolute-form GET and streams the deterministic body back intact', async () => {
    const res = await requestViaProxy(proxy, `${originUrl}${downloadPath(300_000, 7)}`);
    const verifier = new BodyVerifier(7, 300_000);
    verifier.update(res.body);
    expect(res.status).toBe(200);
    expect(verifier.finish()).toBe('ok');
    expect(res.headers['server-timing']).toMatch(/^origin;dur=/);
    expect(res.headers.via).toBe('1.1 proxybench');
  });

  it('keeps the client connection and the origin connection alive across two requests', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const url = `http://127.0.0.1:${headerOrigin.port}/`;
    const first = await requestViaProxy(proxy, url, { agent });
    const second = await requestViaProxy(proxy, url, { agent });
    agent.destroy();
    expect([first.reusedSocket, second.reusedSocket]).toEqual([false, true]);
    expect(second.socket).toBe(first.socket);
    expect(headerOrigin.connections()).toBe(1);
  });

  it('forwards a POST body intact, as the origin digest shows', async () => {
    const body = Buffer.concat([...bodyBlocks(3, 200_000)]);
    const res = await requestViaProxy(proxy, `${originUrl}${ECHO_DIGEST_PATH}`, { method: 'POST', body });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString())).toEqual({ bytes: 200_000, sha256: bodySha256Hex(3, 200_000) });
  });

  it('removes hop-by-hop headers, sets Host to the target authority and adds Via', async () => {
    const res = await requestViaProxy(proxy, `http://127.0.0.1:${headerOrigin.port}/headers?x=1`, {
      headers: { connection: 'x-hop, keep-alive', 'x-hop': '1', 'keep-alive': 'timeout=5', te: 'trailers', 'x-end-to-end': 'kept' },
    });
    const seen = JSON.parse(res.body.toString()) as IncomingHttpHeaders;
    expect(seen.host).toBe(`127.0.0.1:${headerOrigin.port}`);
    expect(seen.via).toBe('1.1 proxybench');
    expect(seen['x-end-to-end']).toBe('kept');
    expect(Object.keys(seen).filter((name) => ['x-hop', 'keep-alive', 'te', 'proxy-authorization'].includes(name))).toEqual([]);
  });

  it('tunnels CONNECT to a TCP echo and the bytes come back unchanged, half-close included', async () => {
    const { status, reader } = await connectThrough(proxy, `127.0.0.1:${echo.port}`);
    const payload = randomBytes(256 * 1024);
    reader.socket.end(payload);
    expect(status).toBe(200);
    expect((await reader.rest()).equals(payload)).toBe(true);
  });

  it('sends a bodiless request again on a new origin connection when a reused one was closed under it', async () => {
    const oneShot = await startOneShotOrigin();
    const allowOneShot = await startHttpProxy({ allow: new Allowlist([{ host: '127.0.0.1', port: oneShot.port }]) });
    try {
      const url = `http://127.0.0.1:${oneShot.port}/`;
      const statuses = [(await requestViaProxy(allowOneShot, url)).status, (await requestViaProxy(allowOneShot, url)).status];
      expect(statuses).toEqual([200, 200]);
      expect(oneShot.connections()).toBe(2);
    } finally {
      await Promise.all([allowOneShot.close(), oneShot.close()]);
    }
  });

  it('answers 400 to an origin-form request', async () => {
    const res = await requestViaProxy(proxy, '/bytes/10?seed=1');
    expect(res.status).toBe(400);
  });

  it.each([
    ['an absolute-form request', 'request'],
    ['a CONNECT', 'connect'],
  ] as const)('answers 403 to %s for a destination not on the allowlist', async (_name, kind) => {
    // The origin's port on another loopback address: listed port, unlisted address.
    const notAllowed = `127.0.0.2:${origin.address.port}`;
    const status =
      kind === 'request'
        ? (await requestViaProxy(proxy, `http://${notAllowed}/`)).status
        : (await connectThrough(proxy, notAllowed)).status;
    expect(status).toBe(403);
  });

  it.each([
    ['an absolute-form request', 'request'],
    ['a CONNECT', 'connect'],
  ] as const)('refuses %s to a name that resolves to an allowed address on a port not allowed', async (_name, kind) => {
    // Port 1 is on no allowlist entry; the proxy must refuse before it ever connects.
    const target = 'localhost:1';
    const status = kind === 'request' ? (await requestViaProxy(proxy, `http://${target}/`)).status : (await connectThrough(proxy, target)).status;
    expect(status).toBe(403);
  });

  it('tunnels CONNECT to a name (localhost) after resolving it to an allowed address', async () => {
    const { status, reader } = await connectThrough(proxy, `localhost:${echo.port}`);
    reader.socket.end('ping');
    expect(status).toBe(200);
    expect((await reader.rest()).toString()).toBe('ping');
  });

  it.each([
    ['an absolute-form request', 'request'],
    ['a CONNECT', 'connect'],
  ] as const)('answers 502 to %s when the allowed destination refuses the connection', async (_name, kind) => {
    const target = `127.0.0.1:${closedPort}`;
    const status = kind === 'request' ? (await requestViaProxy(proxy, `http://${target}/`)).status : (await connectThrough(proxy, target)).status;
    expect(status).toBe(502);
  });

  it.each([
    ['no credentials', undefined, 407],
    ['a wrong password', basic('bench', 'wrong'), 407],
    ['a wrong user', basic('other', 's3cret:x'), 407],
    ['the right credentials', basic('bench', 's3cret:x'), 200],
  ])('with auth configured, answers an absolute-form request with %s by %i', async (_name, authorization, expected) => {
    const headers = authorization === undefined ? {} : { 'proxy-authorization': authorization };
    const res = await requestViaProxy(authProxy, `${originUrl}${downloadPath(10, 1)}`, { headers });
    expect(res.status).toBe(expected);
    expect(res.headers['proxy-authenticate']).toBe(expected === 407 ? 'Basic realm="proxybench"' : undefined);
  });

  it.each([
    ['no credentials', [], 407],
    ['a wrong password', [`Proxy-Authorization: ${basic('bench', 'nope')}`], 407],
    ['the right credentials', [`Proxy-Authorization: ${basic('bench', 's3cret:x')}`], 200],
  ])('with auth configured, answers a CONNECT with %s by %i', async (_name, lines, expected) => {
    const { status, head, reader } = await connectThrough(authProxy, `127.0.0.1:${echo.port}`, lines);
    reader.socket.destroy();
    expect(status).toBe(expected);
    expect(head.includes('Proxy-Authenticate: Basic realm="proxybench"')).toBe(expected === 407);
  });
});
