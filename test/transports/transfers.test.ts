import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestOutcome } from '../../core/request.js';
import { download, ROUTES, startStack, transportFor, upload, type Route, type Stack } from '../support/transport-stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
});

function originOf(route: Route): Stack['http']['address'] {
  return route.origin === 'https' ? stack.https.address : stack.http.address;
}

/** Setup phases end before the headers arrive, which come before the last verified byte. */
function expectOrderedNewConnectionPhases(outcome: RequestOutcome, route: Route): void {
  expect(outcome.connection).toBe('new');
  expect(outcome.connectUs).toBeGreaterThan(0);
  const proxied = route.protocol === 'connect' || route.protocol === 'socks5';
  expect(outcome.proxyHandshakeUs > 0).toBe(proxied);
  expect(outcome.tlsUs > 0).toBe(route.origin === 'https');
  const setupEndUs = outcome.connectUs + Math.max(0, outcome.proxyHandshakeUs) + Math.max(0, outcome.tlsUs);
  expect(setupEndUs).toBeLessThanOrEqual(outcome.ttfbUs);
  expect(outcome.ttfbUs).toBeLessThanOrEqual(outcome.totalUs);
}

describe.each(ROUTES)('a transport for $protocol to an $origin origin', (route) => {
  it.each([1024, 64 * 1024, 1024 * 1024])('verifies a GET of %i bytes, on a new connection then on the same one', async (bytes) => {
    const transport = transportFor(stack, route, { maxConnections: 1 });
    try {
      const request = download(originOf(route), bytes, 7);
      const first = await transport.execute(request);
      const second = await transport.execute(request);
      for (const outcome of [first, second]) {
        expect(outcome).toMatchObject({ ok: true, statusCode: 200, bytesIn: bytes, bytesOut: 0, staleRetried: false });
        expect(outcome.cause).toBeUndefined();
      }
      expectOrderedNewConnectionPhases(first, route);
      expect(second).toMatchObject({ connection: 'reused', connectUs: -1, proxyHandshakeUs: -1, tlsUs: -1 });
      expect(second.ttfbUs).toBeGreaterThan(0);
      expect(second.ttfbUs).toBeLessThanOrEqual(second.totalUs);
    } finally {
      await transport.close();
    }
  });

  it('uploads 16 KiB and 200 KiB and gets back the digest of exactly what it sent', async () => {
    const transport = transportFor(stack, route);
    try {
      for (const bytes of [16 * 1024, 200 * 1024]) {
        const outcome = await transport.execute(upload(originOf(route), bytes));
        expect(outcome).toMatchObject({ ok: true, statusCode: 200, bytesOut: bytes });
        expect(outcome.bytesIn).toBeGreaterThan(0);
      }
    } finally {
      await transport.close();
    }
  });

  it('opens a new connection (and tunnel) for every request under new-per-request', async () => {
    const transport = transportFor(stack, route, { connectionPolicy: 'new-per-request', maxConnections: 1 });
    try {
      const outcomes: RequestOutcome[] = [];
      for (let i = 0; i < 4; i++) outcomes.push(await transport.execute(download(originOf(route), 1024, i)));
      expect(outcomes.map((o) => [o.ok, o.connection])).toEqual(Array(4).fill([true, 'new']));
      for (const outcome of outcomes) expectOrderedNewConnectionPhases(outcome, route);
    } finally {
      await transport.close();
    }
  });

  it('runs 40 requests 8 at a time on at most 4 connections, all verified', async () => {
    const transport = transportFor(stack, route, { maxConnections: 4 });
    try {
      const request = download(originOf(route), 4096, 3);
      const outcomes: RequestOutcome[] = [];
      const lanes = Array.from({ length: 8 }, async () => {
        for (let i = 0; i < 5; i++) outcomes.push(await transport.execute(request));
      });
      await Promise.all(lanes);
      expect(outcomes.filter((o) => o.ok)).toHaveLength(40);
      expect(outcomes.filter((o) => o.connection === 'new').length).toBeLessThanOrEqual(4);
      expect(outcomes.reduce((sum, o) => sum + o.bytesIn, 0)).toBe(40 * 4096);
    } finally {
      await transport.close();
    }
  });
});

describe('a body that does not match', () => {
  it('is an integrity failure when the origin sends another seed than expected', async () => {
    const transport = transportFor(stack, { protocol: 'direct', origin: 'http' });
    try {
      const wrongSeed = { ...download(stack.http.address, 4096, 1), expect: { kind: 'deterministic' as const, bytes: 4096, seed: 2 } };
      const outcome = await transport.execute(wrongSeed);
      expect(outcome).toMatchObject({ ok: false, cause: 'integrity', statusCode: 200, bytesIn: 4096 });
    } finally {
      await transport.close();
    }
  });

  it.each([
    // Bodies of another length are other byte streams altogether (deterministic-body.ts).
    ['shorter', 2048, 'corrupt'],
    ['longer', 8192, 'overlong'],
  ])('is an integrity failure when the body served is %s than expected', async (_name, servedBytes, verdict) => {
    const transport = transportFor(stack, { protocol: 'direct', origin: 'http' });
    try {
      const request = { ...download(stack.http.address, 4096, 1), path: `/bytes/${servedBytes}?seed=1` };
      const outcome = await transport.execute(request);
      expect(outcome).toMatchObject({ ok: false, cause: 'integrity', bytesIn: servedBytes });
      expect(outcome.detail).toContain(verdict);
    } finally {
      await transport.close();
    }
  });
});
