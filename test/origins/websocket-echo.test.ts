import { once } from 'node:events';
import { get, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { type RawData } from 'ws';
import { SetupError } from '../../core/errors.js';
import { StreamVerifier, streamBytes } from '../../core/origin-wire/stream-contract.js';
import { TEST_CA_PEM } from '../../mock-targets/origins/test-certificate.js';
import { startWebSocketEcho, type RunningWebSocketEcho } from '../../mock-targets/origins/websocket-echo.js';

/** An echoed message: its bytes and whether it came back as binary. */
interface Echoed {
  readonly data: Buffer;
  readonly isBinary: boolean;
}

/** Opens a client (offering permessage-deflate, as ws does by default) and queues what it receives. */
async function open(url: string, options: WebSocket.ClientOptions = {}): Promise<{ ws: WebSocket; next: () => Promise<Echoed>; extensionsHeader: string | undefined }> {
  const ws = new WebSocket(url, options);
  const queue: Echoed[] = [];
  let wake: () => void = () => {};
  ws.on('message', (data: RawData, isBinary: boolean) => {
    queue.push({ data: Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer), isBinary });
    wake();
  });
  let extensionsHeader: string | undefined;
  ws.once('upgrade', (response: IncomingMessage) => (extensionsHeader = response.headers['sec-websocket-extensions'] as string | undefined));
  await once(ws, 'open');
  const next = async (): Promise<Echoed> => {
    while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    return queue.shift() as Echoed;
  };
  return { ws, next, extensionsHeader };
}

async function closeClient(ws: WebSocket): Promise<void> {
  const closed = once(ws, 'close');
  ws.close(1000);
  await closed;
}

describe('the WebSocket echo', () => {
  let plain: RunningWebSocketEcho;
  let secure: RunningWebSocketEcho;

  beforeAll(async () => {
    [plain, secure] = await Promise.all([startWebSocketEcho(), startWebSocketEcho({ tls: true })]);
  });

  afterAll(async () => {
    await Promise.all([plain.close(), secure.close()]);
  });

  it('listens on ws://127.0.0.1:<port>/echo and wss:// with the test CA', () => {
    expect(plain.url).toBe(`ws://127.0.0.1:${plain.port}/echo`);
    expect(secure.url).toBe(`wss://127.0.0.1:${secure.port}/echo`);
    expect(secure.caPem).toBe(TEST_CA_PEM);
    expect(plain.caPem).toBeUndefined();
  });

  it('echoes a text message as text and binary messages as binary, and negotiates no compression', async () => {
    const { ws, next, extensionsHeader } = await open(plain.url);
    try {
      expect(extensionsHeader).toBeUndefined();
      expect(ws.extensions).toBe('');
      ws.send('héllo ✓ 1');
      const text = await next();
      expect(text).toEqual({ data: Buffer.from('héllo ✓ 1'), isBinary: false });
      // Binary message i of N bytes is the stream at offset i·N: one verifier checks them all.
      const n = 10_000;
      const verifier = new StreamVerifier(31, 5 * n);
      for (let i = 0; i < 5; i++) ws.send(streamBytes(31, i * n, n), { binary: true });
      for (let i = 0; i < 5; i++) {
        const echoed = await next();
        expect(echoed.isBinary).toBe(true);
        expect(echoed.data.length).toBe(n);
        verifier.update(echoed.data);
      }
      expect(verifier.finish()).toEqual({ kind: 'ok', bytes: 5 * n });
    } finally {
      await closeClient(ws);
    }
  });

  it('echoes a 5 MiB binary message byte for byte', async () => {
    const { ws, next } = await open(plain.url, { perMessageDeflate: false });
    try {
      const bytes = 5 * 1024 * 1024;
      ws.send(streamBytes(4, 0, bytes), { binary: true });
      const echoed = await next();
      const verifier = new StreamVerifier(4, bytes);
      verifier.update(echoed.data);
      expect(verifier.finish()).toEqual({ kind: 'ok', bytes });
    } finally {
      await closeClient(ws);
    }
  });

  it('echoes text and binary over wss when the client trusts the test CA', async () => {
    const { ws, next } = await open(secure.url, { ca: secure.caPem });
    try {
      ws.send('over tls');
      expect(await next()).toEqual({ data: Buffer.from('over tls'), isBinary: false });
      ws.send(streamBytes(2, 0, 3000), { binary: true });
      const echoed = await next();
      expect(echoed.isBinary).toBe(true);
      expect(echoed.data.equals(streamBytes(2, 0, 3000))).toBe(true);
    } finally {
      await closeClient(ws);
    }
  });

  it('fails the TLS handshake for a client that does not trust the test CA', async () => {
    const ws = new WebSocket(secure.url);
    const [error] = (await once(ws, 'error').catch((err: unknown) => [err])) as [NodeJS.ErrnoException];
    expect(error.code).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  it('answers 404 to an upgrade on another path', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${plain.port}/other`);
    ws.on('error', () => {});
    const [, response] = (await once(ws, 'unexpected-response')) as [unknown, IncomingMessage];
    expect(response.statusCode).toBe(404);
    ws.terminate();
  });

  it('answers 426 to a plain HTTP request', async () => {
    const response = await new Promise<IncomingMessage>((resolve, reject) => get(`http://127.0.0.1:${plain.port}/echo`, resolve).once('error', reject));
    response.resume();
    expect(response.statusCode).toBe(426);
  });

  it('closes with a client still connected', async () => {
    const own = await startWebSocketEcho();
    const { ws } = await open(own.url);
    const closed = once(ws, 'close');
    await own.close();
    await closed;
    expect(ws.readyState).toBe(WebSocket.CLOSED);
  });

  it('rejects with SetupError when its port is taken', async () => {
    const error = await startWebSocketEcho({ port: plain.port }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(SetupError);
  });
});
