import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { SocksClient } from 'socks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTcpEcho, type RunningTcpEcho } from '../../mock-targets/origins/tcp-echo.js';
import { Allowlist } from '../../mock-targets/proxies/allowlist.js';
import type { RunningProxyServer } from '../../mock-targets/proxies/http-proxy.js';
import { startSocks5Proxy } from '../../mock-targets/proxies/socks5-proxy.js';
import { freePort } from '../support/free-port.js';
import { connectTo, SocketReader } from '../support/proxy-client.js';

const CREDENTIALS = { username: 'bench', password: 'pässword' };

/** Whether this machine can listen on ::1 (containers without IPv6 cannot). */
const hasIpv6 = await new Promise<boolean>((resolve) => {
  const server = createServer();
  server.once('error', () => resolve(false));
  server.listen(0, '::1', () => server.close(() => resolve(true)));
});

/** RFC 1928 request bytes: VER CMD RSV ATYP DST.ADDR DST.PORT. */
function request(command: number, atyp: number, address: Buffer, port: number): Buffer {
  const portBytes = Buffer.alloc(2);
  portBytes.writeUInt16BE(port);
  return Buffer.concat([Buffer.from([5, command, 0, atyp]), address, portBytes]);
}

const ipv4 = (text: string): Buffer => Buffer.from(text.split('.').map(Number));
const domain = (name: string): Buffer => Buffer.concat([Buffer.from([name.length]), Buffer.from(name)]);
const IPV6_LOOPBACK = Buffer.from([...new Array<number>(15).fill(0), 1]);

/** Greets without auth, sends `req`, and returns the reply's REP byte and the reader. */
async function negotiate(port: number, req: Buffer): Promise<{ rep: number; reader: SocketReader }> {
  const reader = await connectTo({ host: '127.0.0.1', port });
  reader.socket.write(Buffer.concat([Buffer.from([5, 1, 0]), req]));
  expect([...(await reader.read(2))]).toEqual([5, 0]);
  const head = await reader.read(4);
  const addressBytes = head[3] === 4 ? 16 : 4;
  await reader.read(addressBytes + 2);
  return { rep: head[1] ?? -1, reader };
}

describe('the reference SOCKS5 proxy', () => {
  let echo: RunningTcpEcho;
  let echo6: RunningTcpEcho | undefined;
  let closedPort: number;
  let proxy: RunningProxyServer;
  let authProxy: RunningProxyServer;

  beforeAll(async () => {
    [echo, closedPort] = await Promise.all([startTcpEcho(), freePort()]);
    echo6 = hasIpv6 ? await startTcpEcho({ host: '::1' }) : undefined;
    const allow = new Allowlist([
      { host: '127.0.0.1', port: echo.port },
      { host: '127.0.0.1', port: closedPort },
      ...(echo6 ? [{ host: '::1', port: echo6.port }] : []),
    ]);
    proxy = await startSocks5Proxy({ allow });
    authProxy = await startSocks5Proxy({ allow, auth: CREDENTIALS });
  });

  afterAll(async () => {
    await Promise.all([proxy.close(), authProxy.close(), echo.close(), echo6?.close()]);
  });

  /** Connects through the proxy with the socks library, sends `payload`, half-closes, returns the echo. */
  async function echoThroughLibrary(port: number, payload: Buffer, auth?: { username: string; password: string }): Promise<Buffer> {
    const { socket } = await SocksClient.createConnection({
      proxy: { host: '127.0.0.1', port, type: 5, ...(auth ? { userId: auth.username, password: auth.password } : {}) },
      command: 'connect',
      destination: { host: '127.0.0.1', port: echo.port },
      timeout: 5_000,
    });
    const reader = new SocketReader(socket);
    socket.end(payload);
    return reader.rest();
  }

  it('tunnels to a TCP echo without authentication and the bytes come back unchanged', async () => {
    const payload = randomBytes(256 * 1024);
    expect((await echoThroughLibrary(proxy.port, payload)).equals(payload)).toBe(true);
  });

  it('tunnels with the right username and password (RFC 1929)', async () => {
    const payload = randomBytes(1024);
    expect((await echoThroughLibrary(authProxy.port, payload, CREDENTIALS)).equals(payload)).toBe(true);
  });

  it('answers status 0x01 to a wrong password and then closes', async () => {
    const reader = await connectTo({ host: '127.0.0.1', port: authProxy.port });
    const user = Buffer.from(CREDENTIALS.username);
    const pass = Buffer.from('wrong');
    reader.socket.write(Buffer.from([5, 2, 0, 2]));
    reader.socket.write(Buffer.concat([Buffer.from([1, user.length]), user, Buffer.from([pass.length]), pass]));
    expect([...(await reader.read(2))]).toEqual([5, 2]);
    expect([...(await reader.rest())]).toEqual([1, 1]);
  });

  it('answers method 0xFF when auth is configured and the client offers only "no authentication"', async () => {
    const reader = await connectTo({ host: '127.0.0.1', port: authProxy.port });
    reader.socket.write(Buffer.from([5, 1, 0]));
    expect([...(await reader.rest())]).toEqual([5, 0xff]);
  });

  it.each([
    ['IPv4 (ATYP 0x01)', () => request(1, 1, ipv4('127.0.0.1'), echo.port)],
    ['a domain name, localhost (ATYP 0x03)', () => request(1, 3, domain('localhost'), echo.port)],
  ])('connects to a destination given as %s and relays bytes', async (_name, build) => {
    const { rep, reader } = await negotiate(proxy.port, build());
    reader.socket.end('hello');
    expect(rep).toBe(0);
    expect((await reader.rest()).toString()).toBe('hello');
  });

  it.runIf(hasIpv6)('connects to a destination given as IPv6 ::1 (ATYP 0x04) and relays bytes', async () => {
    const { rep, reader } = await negotiate(proxy.port, request(1, 4, IPV6_LOOPBACK, echo6?.port ?? 0));
    reader.socket.end('hello6');
    expect(rep).toBe(0);
    expect((await reader.rest()).toString()).toBe('hello6');
  });

  it('replies with BND.ADDR and BND.PORT of its outgoing socket', async () => {
    const reader = await connectTo({ host: '127.0.0.1', port: proxy.port });
    reader.socket.write(Buffer.concat([Buffer.from([5, 1, 0]), request(1, 1, ipv4('127.0.0.1'), echo.port)]));
    const reply = await reader.read(2 + 10);
    reader.socket.destroy();
    expect([...reply.subarray(2, 10)]).toEqual([5, 0, 0, 1, 127, 0, 0, 1]);
    expect(reply.readUInt16BE(10)).toBeGreaterThan(0);
  });

  it('reads a handshake that arrives one byte per TCP segment, optimistic data included', async () => {
    const reader = await connectTo({ host: '127.0.0.1', port: authProxy.port });
    reader.socket.setNoDelay(true);
    const user = Buffer.from(CREDENTIALS.username);
    const pass = Buffer.from(CREDENTIALS.password);
    const bytes = Buffer.concat([
      Buffer.from([5, 2, 0, 2]),
      Buffer.from([1, user.length]),
      user,
      Buffer.from([pass.length]),
      pass,
      request(1, 3, domain('localhost'), echo.port),
      Buffer.from('early'),
    ]);
    for (const byte of bytes) {
      // One write per turn of the event loop, so each byte leaves as its own segment.
      await new Promise<void>((resolve) => reader.socket.write(Buffer.from([byte]), () => setImmediate(resolve)));
    }
    reader.socket.end();
    expect([...(await reader.read(2))]).toEqual([5, 2]);
    expect([...(await reader.read(2))]).toEqual([1, 0]);
    expect([...(await reader.read(4))]).toEqual([5, 0, 0, 1]);
    await reader.read(6);
    expect((await reader.rest()).toString()).toBe('early');
  });

  it.each([
    { name: 'an IPv4 destination not on the allowlist', rep: 0x02, build: () => request(1, 1, ipv4('127.0.0.2'), echo.port) },
    // Port 1 is on no allowlist entry: the proxy must refuse before it ever connects.
    { name: 'a name resolving to an allowed address on a port not allowed', rep: 0x02, build: () => request(1, 3, domain('localhost'), 1) },
    { name: 'a name that does not resolve', rep: 0x04, build: () => request(1, 3, domain('no-such-host.invalid'), echo.port) },
    { name: 'an allowed destination that refuses the connection', rep: 0x05, build: () => request(1, 1, ipv4('127.0.0.1'), closedPort) },
    { name: 'BIND', rep: 0x07, build: () => request(2, 1, ipv4('127.0.0.1'), echo.port) },
    // UDP ASSOCIATE is supported (socks5-udp-associate.test.ts); a command RFC 1928 does not define is not.
    { name: 'an unknown command 0x09', rep: 0x07, build: () => request(9, 1, ipv4('127.0.0.1'), echo.port) },
    { name: 'an unknown address type 0x05', rep: 0x08, build: () => request(1, 5, ipv4('127.0.0.1'), echo.port) },
  ])('replies to $name with REP $rep and closes', async ({ build, rep: expected }) => {
    const { rep, reader } = await negotiate(proxy.port, build());
    expect(rep).toBe(expected);
    expect((await reader.rest()).length).toBe(0);
  });
});
