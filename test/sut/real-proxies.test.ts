import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SocksClient } from 'socks';
import { Pool, ProxyAgent, request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyCredentials } from '../../core/proxy-url.js';
import { sampleProcessTree } from '../../harness/sut/process-tree-sampler.js';
import { spawnSut, type SpawnedSut } from '../../harness/sut/spawned-sut.js';
import { bodyBlocks } from '../../core/origin-wire/deterministic-body.js';
import { findBinary, realProxyCommand, type RealProxyName } from '../support/real-proxies.js';
import { freePort } from '../support/free-port.js';

// Under CI a missing proxy fails its tests (.ci/run installs them); elsewhere they are skipped,
// with the reason in the test's name.
const CI = process.env.CI === 'true';
const BODY_BYTES = 20_000;
const BODY_SEED = 7;
const EXPECTED = Buffer.concat([...bodyBlocks(BODY_SEED, BODY_BYTES)]);
const AUTH: ProxyCredentials = { username: 'pb-user', password: 'pb pass:1' };

let origin: Server;
let originPort: number;
let workDir: string;
let sut: SpawnedSut | undefined;

beforeAll(async () => {
  origin = createServer((_req, res) => {
    res.writeHead(200, { 'content-length': BODY_BYTES, 'content-type': 'application/octet-stream' });
    res.end(EXPECTED);
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  originPort = (origin.address() as AddressInfo).port;
});
afterAll(async () => {
  origin.closeAllConnections();
  await new Promise((resolve) => origin.close(resolve));
});
afterEach(async () => {
  const stopStartMs = performance.now();
  await sut?.stop();
  if (sut) console.log(`stopped in ${(performance.now() - stopStartMs).toFixed(1)} ms, ${JSON.stringify(await sut.exited)}`);
  sut = undefined;
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

async function start(name: RealProxyName, auth?: ProxyCredentials): Promise<{ proxyPort: number; proxyUrl: string }> {
  workDir = mkdtempSync(join(tmpdir(), `pb-${name}-`));
  const proxyPort = await freePort();
  const { command, proxyUrl } = realProxyCommand(name, { port: proxyPort, workDir, ...(auth ? { auth } : {}) });
  sut = await spawnSut({ command, ready: { host: '127.0.0.1', port: proxyPort } });
  expect(sut.startupMs).toBeGreaterThan(0);
  console.log(`${name}: ready in ${sut.startupMs.toFixed(1)} ms`);
  return { proxyPort, proxyUrl };
}

/** GET through a forward proxy: absolute-form request target on a connection to the proxy. */
async function viaForward(proxyPort: number): Promise<Buffer> {
  const pool = new Pool(`http://127.0.0.1:${proxyPort}`, { connections: 1 });
  try {
    const res = await pool.request({ method: 'GET', path: `http://127.0.0.1:${originPort}/body` });
    expect(res.statusCode).toBe(200);
    return Buffer.from(await res.body.arrayBuffer());
  } finally {
    await pool.close();
  }
}

/** GET through a CONNECT tunnel to the origin's (non-443) port. */
async function viaConnect(proxyUrl: string): Promise<Buffer> {
  const agent = new ProxyAgent({ uri: proxyUrl, proxyTunnel: true });
  try {
    const res = await request(`http://127.0.0.1:${originPort}/body`, { dispatcher: agent });
    expect(res.statusCode).toBe(200);
    return Buffer.from(await res.body.arrayBuffer());
  } finally {
    await agent.close();
  }
}

/** GET through SOCKS5 (RFC 1928, RFC 1929 auth when given): the whole response's body. */
async function viaSocks(proxyPort: number, auth?: ProxyCredentials): Promise<Buffer> {
  const { socket } = await SocksClient.createConnection({
    proxy: { host: '127.0.0.1', port: proxyPort, type: 5, ...(auth ? { userId: auth.username, password: auth.password } : {}) },
    command: 'connect',
    destination: { host: '127.0.0.1', port: originPort },
    timeout: 5000,
  });
  return readHttpBody(socket);
}

async function readHttpBody(socket: Socket): Promise<Buffer> {
  // write, not end: some relays (microsocks) close both ways on the client's FIN.
  socket.write(`GET /body HTTP/1.1\r\nHost: 127.0.0.1:${originPort}\r\nConnection: close\r\n\r\n`);
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  const response = Buffer.concat(chunks);
  const headerEnd = response.indexOf('\r\n\r\n');
  expect(response.subarray(0, 12).toString()).toBe('HTTP/1.1 200');
  return response.subarray(headerEnd + 4);
}

const installed = (name: RealProxyName): boolean => findBinary(name) !== undefined || CI;
const title = (name: RealProxyName): string =>
  findBinary(name) ? name : `${name} (skipped: not installed here; apt-get install ${name === 'dante' ? 'dante-server' : name})`;

describe.each<RealProxyName>(['squid', 'tinyproxy'])('%s as a spawned SUT', (name) => {
  it.skipIf(!installed(name))(`${title(name)} becomes ready and relays absolute-form GETs byte for byte`, async () => {
    const { proxyPort } = await start(name);
    expect((await viaForward(proxyPort)).equals(EXPECTED)).toBe(true);
    const sample = await sampleProcessTree((sut as SpawnedSut).pid);
    expect(sample?.rssBytes).toBeGreaterThan(0);
    expect(sample?.fds).toBeGreaterThan(0);
  });

  it.skipIf(!installed(name))(`${title(name)} tunnels CONNECT to a loopback port other than 443`, async () => {
    const { proxyUrl } = await start(name);
    expect((await viaConnect(proxyUrl)).equals(EXPECTED)).toBe(true);
  });
});

describe.each<RealProxyName>(['dante', 'microsocks'])('%s as a spawned SUT', (name) => {
  it.skipIf(!installed(name))(`${title(name)} becomes ready and relays a SOCKS5 CONNECT byte for byte`, async () => {
    const { proxyPort } = await start(name);
    expect((await viaSocks(proxyPort)).equals(EXPECTED)).toBe(true);
    const sample = await sampleProcessTree((sut as SpawnedSut).pid);
    expect(sample?.rssBytes).toBeGreaterThan(0);
    // dante runs a pool of processes; microsocks is one process with a thread per client.
    expect(sample?.processes).toBeGreaterThanOrEqual(name === 'dante' ? 2 : 1);
  });
});

describe('microsocks with username/password', () => {
  it.skipIf(!installed('microsocks'))(`${title('microsocks')} relays for the right credentials`, async () => {
    const { proxyPort, proxyUrl } = await start('microsocks', AUTH);
    expect(proxyUrl).toBe(`socks5://pb-user:pb%20pass%3A1@127.0.0.1:${proxyPort}`);
    expect((await viaSocks(proxyPort, AUTH)).equals(EXPECTED)).toBe(true);
  });

  it.skipIf(!installed('microsocks'))(`${title('microsocks')} refuses a wrong password and a missing one`, async () => {
    const { proxyPort } = await start('microsocks', AUTH);
    await expect(viaSocks(proxyPort, { username: AUTH.username, password: 'wrong' })).rejects.toThrow(/Socks5 Authentication failed/);
    // Offered only "no authentication", the server must pick none of the methods (0xFF).
    await expect(viaSocks(proxyPort)).rejects.toThrow(/no accepted authentication type/i);
  });
});
