import { once } from 'node:events';
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { Client } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SetupError } from '../../core/errors.js';
import { startOrigin, type RunningOrigin } from '../../mock-targets/origins/http-origin.js';
import { downloadPath, ECHO_DIGEST_PATH, parseOriginTimingMs } from '../../core/origin-wire/origin-paths.js';
import { TEST_CA_PEM } from '../../mock-targets/origins/test-certificate.js';
import { clientFor, send } from '../support/origin-client.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function started(options: Parameters<typeof startOrigin>[0] = {}): Promise<RunningOrigin> {
  const origin = await startOrigin(options);
  cleanups.push(() => origin.close());
  return origin;
}

function keepAliveClient(origin: RunningOrigin, options: { trustCa?: boolean } = {}): Client {
  const client = clientFor(origin, options);
  cleanups.push(() => client.destroy());
  return client;
}

/** Reads a raw HTTP/1.1 answer until the peer closes. */
async function rawExchange(socket: Socket, request: string): Promise<string> {
  socket.end(request);
  let text = '';
  for await (const chunk of socket) text += (chunk as Buffer).toString('latin1');
  return text;
}

describe('mock origin over HTTPS', () => {
  it.each(['127.0.0.1', '::1'])('is trusted on %s by a client given the test CA', async (host) => {
    const origin = await started({ tls: true, host });
    expect(origin.caPem).toBe(TEST_CA_PEM);
    const reply = await send(keepAliveClient(origin), downloadPath(10, 1));
    expect(reply.status).toBe(200);
    expect(reply.body.length).toBe(10);
  });

  it('is trusted under the name localhost', async () => {
    const origin = await started({ tls: true });
    const socket = connectTls({ host: '127.0.0.1', port: origin.address.port, servername: 'localhost', ca: TEST_CA_PEM });
    cleanups.push(async () => void socket.destroy());
    await once(socket, 'secureConnect');
    expect(socket.authorized).toBe(true);
  });

  it('is refused by a client without the test CA', async () => {
    const origin = await started({ tls: true });
    const error = await send(keepAliveClient(origin, { trustCa: false }), downloadPath(10, 1)).catch((err: unknown) => err);
    expect((error as { code?: string }).code).toMatch(/^(SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)$/);
  });

  it('has no CA to hand out when it speaks plain HTTP', async () => {
    const origin = await started();
    expect(origin.address.protocol).toBe('http');
    expect(origin.caPem).toBeUndefined();
  });
});

describe('mock origin pause', () => {
  it('answers a request sent during a pause only after the pause ends', async () => {
    const paused = await started();
    const witness = await started();
    const events: string[] = [];
    paused.pause(60_000);
    const held = send(keepAliveClient(paused), downloadPath(100, 3)).then((reply) => {
      events.push('held request answered');
      return reply;
    });
    await vi.waitFor(() => expect(paused.stats().requests).toBe(1), { timeout: 10_000, interval: 5 });
    // A whole round trip to another origin gives the held answer time to arrive, were it not held.
    await send(keepAliveClient(witness), downloadPath(100, 3));
    events.push('witness answered');
    paused.pause(0);
    events.push('resumed');
    const reply = await held;
    expect(events).toEqual(['witness answered', 'resumed', 'held request answered']);
    expect(reply.status).toBe(200);
    expect(reply.body.length).toBe(100);
  });

  it('resumes by itself when the pause runs out', async () => {
    const origin = await started();
    origin.pause(50);
    const reply = await send(keepAliveClient(origin), downloadPath(100, 3));
    expect(reply.status).toBe(200);
    expect(origin.stats().requests).toBe(1);
  });
});

describe('mock origin counters', () => {
  it('counts requests by path and the body bytes each way', async () => {
    const origin = await started();
    const client = keepAliveClient(origin);
    await send(client, downloadPath(1000, 1));
    await send(client, downloadPath(70_000, 1));
    await send(client, '/delay/0?bytes=5');
    const echo300 = await send(client, ECHO_DIGEST_PATH, { method: 'POST', body: Buffer.alloc(300) });
    const notFound = await send(client, '/nowhere');
    const echo20 = await send(client, ECHO_DIGEST_PATH, { method: 'POST', body: Buffer.alloc(20) });
    const stats = origin.stats();
    expect(stats.requests).toBe(6);
    expect(stats.requestsByPath).toEqual({ bytes: 2, delay: 1, echoDigest: 2, other: 1 });
    expect(stats.bytesReceived).toBe(320);
    expect(stats.bytesSent).toBe(1000 + 70_000 + 5 + notFound.body.length + echo300.body.length + echo20.body.length);
  });
});

describe('mock origin robustness', () => {
  it('keeps serving after a client leaves in the middle of a large body', async () => {
    const origin = await started();
    const client = keepAliveClient(origin);
    const res = await client.request({ path: downloadPath(16 * 1024 * 1024, 1), method: 'GET' });
    for await (const _chunk of res.body) {
      res.body.destroy();
      break;
    }
    const reply = await send(client, downloadPath(1024, 1));
    expect(reply.status).toBe(200);
    expect(reply.body.length).toBe(1024);
  });

  it('answers an unparsable request with 400 and server-timing, then closes', async () => {
    const origin = await started();
    const socket = connectTcp(origin.address.port, '127.0.0.1');
    const text = await rawExchange(socket, 'NOT HTTP AT ALL\r\n\r\n');
    expect(text.startsWith('HTTP/1.1 400 ')).toBe(true);
    expect(parseOriginTimingMs(/^server-timing: (.*)$/m.exec(text)?.[1]?.trim())).toBe(0);
  });

  it('serves an absolute-form request target', async () => {
    const origin = await started();
    const socket = connectTcp(origin.address.port, '127.0.0.1');
    const url = `http://127.0.0.1:${origin.address.port}${downloadPath(7, 1)}`;
    const text = await rawExchange(socket, `GET ${url} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n`);
    expect(text.startsWith('HTTP/1.1 200 ')).toBe(true);
    expect(text).toMatch(/^content-length: 7\r$/m);
  });

  it('rejects with SetupError when its port is taken', async () => {
    const first = await started();
    const error = await startOrigin({ port: first.address.port }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(SetupError);
    expect((error as SetupError).message).toContain('EADDRINUSE');
  });
});

describe('mock origin close', () => {
  it.each([{ tls: false }, { tls: true }])('resolves with a keep-alive connection still open (tls: $tls)', async ({ tls }) => {
    const origin = await startOrigin({ tls });
    const client = keepAliveClient(origin);
    await send(client, downloadPath(10, 1));
    const disconnected = once(client, 'disconnect');
    await expect(origin.close()).resolves.toBeUndefined();
    await disconnected;
    await expect(origin.close()).resolves.toBeUndefined();
  });

  it('resolves while a TLS client is still in its handshake and while a delay is pending', async () => {
    const origin = await startOrigin({ tls: true });
    const silent = connectTcp(origin.address.port, '127.0.0.1');
    cleanups.push(async () => void silent.destroy());
    await once(silent, 'connect');
    const client = keepAliveClient(origin);
    const pending = send(client, '/delay/60000').catch((err: unknown) => err);
    await vi.waitFor(() => expect(origin.stats().requests).toBe(1), { timeout: 10_000, interval: 5 });
    await expect(origin.close()).resolves.toBeUndefined();
    expect(await pending).toBeInstanceOf(Error);
  });
});
