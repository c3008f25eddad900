import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BodyVerifier, bodyBlocks } from '../../core/origin-wire/deterministic-body.js';
import { startOrigin, type RunningOrigin } from '../../mock-targets/origins/http-origin.js';
import { delayPath, downloadPath, ECHO_DIGEST_PATH } from '../../core/origin-wire/origin-paths.js';
import { clientFor, send } from './origin-client.js';

const MiB = 1024 * 1024;

function deterministicBody(bytes: number, seed: number): Buffer {
  return Buffer.concat([...bodyBlocks(seed, bytes)]);
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

  it('adds a different share of the jitter to each request, within delay … delay + jitter', async () => {
    const replies = await Promise.all(Array.from({ length: 20 }, () => send(client, delayPath(10, 64, 5, 60))));
    const waitedMs = replies.map((r) => r.originMs ?? Number.NaN);
    for (const ms of waitedMs) expect(ms).toBeGreaterThanOrEqual(10);
    // The origin's own figure: a late timer may add a few ms past delay + jitter, never 50.
    for (const ms of waitedMs) expect(ms).toBeLessThan(10 + 60 + 50);
    // 20 uniform draws over 60 ms: all within 5 ms of each other has a chance of about 1e-19.
    expect(Math.max(...waitedMs) - Math.min(...waitedMs)).toBeGreaterThan(5);
    for (const reply of replies) expect(reply.body.equals(deterministicBody(64, 5))).toBe(true);
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
