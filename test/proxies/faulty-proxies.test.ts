import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BodyVerifier } from '../../core/origin-wire/deterministic-body.js';
import { startOrigin, type RunningOrigin } from '../../mock-targets/origins/http-origin.js';
import { downloadPath } from '../../core/origin-wire/origin-paths.js';
import { startTcpEcho, type RunningTcpEcho } from '../../mock-targets/origins/tcp-echo.js';
import { Allowlist } from '../../mock-targets/proxies/allowlist.js';
import {
  startClosingHttpProxy,
  startCorruptingHttpProxy,
  startDelayingHttpProxy,
  startFlakyHttpProxy,
  startRefusingHttpProxy,
  startStallingProxy,
  startTruncatingHttpProxy,
  type FaultyProxy,
} from '../fixtures/faulty-proxies.js';
import { connectThrough, connectTo, requestViaProxy } from '../support/proxy-client.js';

/** How long "never answers" is watched for, ms: a negative can only be observed for a while. */
const SILENCE_MS = 200;

describe('the fault fixtures', () => {
  let origin: RunningOrigin;
  let echo: RunningTcpEcho;
  let allow: Allowlist;
  let proxy: FaultyProxy | undefined;

  beforeAll(async () => {
    [origin, echo] = await Promise.all([startOrigin(), startTcpEcho()]);
    allow = new Allowlist([
      { host: '127.0.0.1', port: origin.address.port },
      { host: '127.0.0.1', port: echo.port },
    ]);
  });
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });
  afterAll(async () => {
    await Promise.all([origin.close(), echo.close()]);
  });

  const url = (bytes: number, seed = 1): string => `http://127.0.0.1:${origin.address.port}${downloadPath(bytes, seed)}`;

  async function verdictOf(address: FaultyProxy, bytes: number, seed: number): Promise<string> {
    const res = await requestViaProxy(address, url(bytes, seed));
    const verifier = new BodyVerifier(seed, bytes);
    verifier.update(res.body);
    return verifier.finish();
  }

  it('the corrupting proxy flips a byte of every Nth body and leaves the others intact', async () => {
    proxy = await startCorruptingHttpProxy({ allow, every: 2 });
    const verdicts = [];
    for (let i = 0; i < 4; i++) verdicts.push(await verdictOf(proxy, 10_000, i));
    expect(verdicts).toEqual(['ok', 'corrupt', 'ok', 'corrupt']);
  });

  it('the truncating proxy sends the full Content-Length, then half the body, then closes', async () => {
    proxy = await startTruncatingHttpProxy({ allow });
    const res = await requestViaProxy(proxy, url(100_000));
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe('100000');
    expect(res.body.length).toBe(50_000);
    expect(res.complete).toBe(false);
  });

  it.each([502, 403])('the refusing proxy answers %i itself, without server-timing, to requests and CONNECTs', async (status) => {
    proxy = await startRefusingHttpProxy({ status });
    const res = await requestViaProxy(proxy, url(10));
    const tunnel = await connectThrough(proxy, `127.0.0.1:${echo.port}`);
    tunnel.reader.socket.destroy();
    expect([res.status, tunnel.status]).toEqual([status, status]);
    expect(res.headers['server-timing']).toBeUndefined();
    expect(tunnel.head.toLowerCase().includes('server-timing')).toBe(false);
  });

  it('the delaying proxy forwards correctly, never sooner than its delay', async () => {
    proxy = await startDelayingHttpProxy({ allow, delayMs: 150 });
    const startedMs = performance.now();
    const verdict = await verdictOf(proxy, 1_000, 5);
    const tunnel = await connectThrough(proxy, `127.0.0.1:${echo.port}`);
    tunnel.reader.socket.destroy();
    // A lower bound only (timers never fire early, by more than rounding): this is what the fixture
    // does, not how fast anything runs.
    expect(performance.now() - startedMs).toBeGreaterThanOrEqual(2 * 150 - 2);
    expect([verdict, tunnel.status]).toEqual(['ok', 200]);
  });

  it('the flaky proxy answers 503 to every Nth request and forwards the rest', async () => {
    proxy = await startFlakyHttpProxy({ allow, rejectEvery: 3 });
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await requestViaProxy(proxy, url(10))).status);
    expect(statuses).toEqual([200, 200, 503, 200, 200, 503]);
  });

  it('the closing proxy answers without Connection: close, then closes the connection', async () => {
    proxy = await startClosingHttpProxy({ allow });
    const reader = await connectTo(proxy);
    reader.socket.write(`GET ${url(10)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    const head = (await reader.readUntil('\r\n\r\n')).toString('latin1').toLowerCase();
    const body = await reader.rest();
    expect(head.startsWith('http/1.1 200')).toBe(true);
    expect(head.includes('connection: close')).toBe(false);
    expect(body.length).toBe(10);
  });

  it('the proxy stalling at accept-no-reply takes the connection and answers nothing', async () => {
    proxy = await startStallingProxy({ phase: 'accept-no-reply' });
    const reader = await connectTo(proxy);
    reader.socket.write(`GET ${url(10)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    expect(await reader.staysSilent(SILENCE_MS)).toBe(true);
  });

  it('the proxy stalling at connect-no-reply reads a CONNECT and a SOCKS5 greeting and answers neither', async () => {
    proxy = await startStallingProxy({ phase: 'connect-no-reply' });
    const [connect, socks] = await Promise.all([connectTo(proxy), connectTo(proxy)]);
    connect.socket.write(`CONNECT 127.0.0.1:${echo.port} HTTP/1.1\r\nHost: 127.0.0.1:${echo.port}\r\n\r\n`);
    socks.socket.write(Buffer.from([5, 1, 0]));
    expect(await Promise.all([connect.staysSilent(SILENCE_MS), socks.staysSilent(SILENCE_MS)])).toEqual([true, true]);
  });

  it('the proxy stalling at headers-then-stall sends the origin headers and no body byte', async () => {
    proxy = await startStallingProxy({ phase: 'headers-then-stall', allow });
    const stalled = proxy;
    const { status, length, bodyBytes } = await new Promise<{ status: number; length: string | undefined; bodyBytes: number }>((resolve, reject) => {
      const req = request({ host: stalled.host, port: stalled.port, path: url(1_000), agent: false });
      req.once('error', reject);
      req.once('response', (res) => {
        let bodyBytes = 0;
        res.on('data', (chunk: Buffer) => (bodyBytes += chunk.length));
        res.on('error', () => {});
        setTimeout(() => {
          resolve({ status: res.statusCode ?? 0, length: res.headers['content-length'], bodyBytes });
          req.destroy();
        }, SILENCE_MS);
      });
      req.end();
    });
    expect([status, length, bodyBytes]).toEqual([200, '1000', 0]);
  });
});
