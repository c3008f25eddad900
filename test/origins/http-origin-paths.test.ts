import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BodyVerifier, bodyBlocks } from '../../core/origin-wire/deterministic-body.js';
import { startOrigin, type RunningOrigin } from '../../mock-targets/origins/http-origin.js';
import { delayPath, downloadPath, ECHO_DIGEST_PATH } from '../../core/origin-wire/origin-paths.js';
import { clientFor, send, type OriginReply } from '../support/origin-client.js';

const MiB = 1024 * 1024;

function deterministicBody(bytes: number, seed: number): Buffer {
  return Buffer.concat([...bodyBlocks(seed, bytes)]);
}

/** Resolves once `done()` holds, checking every 5 ms for at most 10 s (then rejects). */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !done(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!done()) throw new Error('condition not met within 10 s');
}

describe.each([{ tls: false }, { tls: true }])('mock origin paths (tls: $tls)', ({ tls }) => {
  let origin: RunningOrigin;
  let client: Client;

  beforeAll(async () => {
    origin = await startOrigin({ tls });
    client = clientFor(origin);
  });
  afterAll(async () => {
    await client.close();
    await origin.close();
  });

  it.each([0, 1, 1024, 65536, 65537, MiB])('serves /bytes/%i as the deterministic body', async (bytes) => {
    const reply = await send(client, downloadPath(bytes, 42));
    expect(reply.status).toBe(200);
    expect(reply.headers['content-length']).toBe(String(bytes));
    expect(reply.headers['content-type']).toBe('application/octet-stream');
    expect(reply.body.length).toBe(bytes);
    expect(reply.body.equals(deterministicBody(bytes, 42))).toBe(true);
    expect(reply.originMs).toBeGreaterThanOrEqual(0);
  });

  it('serves different bodies for different seeds, seed 0 when none is given', async () => {
    const [one, two, none] = await Promise.all([
      send(client, downloadPath(4096, 1)),
      send(client, downloadPath(4096, 2)),
      send(client, '/bytes/4096'),
    ]);
    expect(one.body.equals(two.body)).toBe(false);
    expect(none.body.equals(deterministicBody(4096, 0))).toBe(true);
  });

  it('streams a large body intact in several chunks', async () => {
    const bytes = 4 * MiB + 3;
    const res = await client.request({ path: downloadPath(bytes, 9), method: 'GET' });
    const verifier = new BodyVerifier(9, bytes);
    let chunks = 0;
    for await (const chunk of res.body) {
      chunks++;
      verifier.update(chunk as Buffer);
    }
    expect(verifier.received).toBe(bytes);
    expect(verifier.finish()).toBe('ok');
    expect(chunks).toBeGreaterThan(1);
  });

  it('answers echo-digest with the length and SHA-256 of a streamed upload', async () => {
    const parts = Array.from({ length: 40 }, (_, i) => Buffer.alloc(10_000 + i, i));
    const expectedBytes = parts.reduce((sum, part) => sum + part.length, 0);
    const expectedSha = createHash('sha256').update(Buffer.concat(parts)).digest('hex');
    const reply = await send(client, ECHO_DIGEST_PATH, { method: 'POST', body: Readable.from(parts) });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(JSON.parse(reply.body.toString())).toEqual({ bytes: expectedBytes, sha256: expectedSha });
    expect(reply.originMs).toBeGreaterThanOrEqual(0);
  });

  it('answers echo-digest for an empty upload', async () => {
    const reply = await send(client, ECHO_DIGEST_PATH, { method: 'POST', body: Buffer.alloc(0) });
    expect(JSON.parse(reply.body.toString())).toEqual({ bytes: 0, sha256: createHash('sha256').digest('hex') });
  });

  it('waits at least the delay, by its own server-timing, then serves the body', async () => {
    const reply = await send(client, delayPath(120, 2048, 5));
    expect(reply.status).toBe(200);
    expect(reply.originMs).toBeGreaterThanOrEqual(120);
    expect(reply.body.equals(deterministicBody(2048, 5))).toBe(true);
  });

  it('adds a different share of the jitter to each request, never less than the delay', async () => {
    const replies = await Promise.all(Array.from({ length: 20 }, () => send(client, delayPath(10, 64, 5, 60))));
    const waitedMs = replies.map((r) => r.originMs ?? Number.NaN);
    for (const ms of waitedMs) expect(ms).toBeGreaterThanOrEqual(10);
    // 20 uniform draws over 60 ms: all within 5 ms of each other has a chance of about 1e-19. The
    // requests go one at a time on the one connection, so a busy machine adds to each wait its own
    // lateness: it cannot bring them together.
    expect(Math.max(...waitedMs) - Math.min(...waitedMs)).toBeGreaterThan(5);
    for (const reply of replies) expect(reply.body.equals(deterministicBody(64, 5))).toBe(true);
  });

  it('waits delay + the drawn share of the jitter, never more: the whole jitter is answered before a wait due 30 ms after it', async () => {
    // A second connection, opened (and its TLS handshake done) before: the second request then
    // reaches the origin right after the first.
    const other = clientFor(origin);
    try {
      expect((await send(other, downloadPath(1, 5))).status).toBe(200);
      // Math.random just under 1 draws (nearly) the whole jitter: 10 + 60 ms.
      const before = origin.stats().requestsByPath.delay;
      const random = vi.spyOn(Math, 'random').mockReturnValue(0.999_999);
      let whole: Promise<OriginReply>;
      try {
        whole = send(client, delayPath(10, 64, 5, 60));
        // The origin draws the moment it reads the request, which it has counted by then.
        await until(() => origin.stats().requestsByPath.delay > before);
      } finally {
        random.mockRestore();
      }
      const order: string[] = [];
      const replies = await Promise.all([
        whole.then((r) => (order.push('whole jitter'), r)),
        send(other, delayPath(10 + 60 + 30, 64, 5)).then((r) => (order.push('due 30 ms after'), r)),
      ]);
      // At least its draw: the jitter was added in full, not a share of it or none.
      expect(replies[0].originMs).toBeGreaterThanOrEqual(10 + 60 * 0.999_999);
      // The second request reached the origin later and waits 30 ms longer than delay + jitter: both
      // are timers on the origin's one event loop, which runs due timers earliest first however
      // late, so the first answers first unless its wait was scheduled past delay + jitter + 30 ms.
      expect(order).toEqual(['whole jitter', 'due 30 ms after']);
      for (const reply of replies) expect(reply.body.equals(deterministicBody(64, 5))).toBe(true);
    } finally {
      await other.close();
    }
  });

  it.each([
    ['/nowhere', 'GET', 404],
    ['/bytes/abc', 'GET', 400],
    ['/bytes/10?seed=-1', 'GET', 400],
    ['/delay/x?bytes=1', 'GET', 400],
    ['/bytes/10', 'POST', 405],
    ['/echo-digest', 'GET', 405],
  ] as const)('answers %s %s with %i and server-timing', async (path, method, status) => {
    const reply = await send(client, path, { method });
    expect(reply.status).toBe(status);
    expect(reply.originMs).toBeGreaterThanOrEqual(0);
    expect(reply.body.length).toBeGreaterThan(0);
    expect(reply.body.length).toBeLessThan(200);
  });
});
