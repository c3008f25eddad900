import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { delayPath } from '../../core/origin-wire/origin-paths.js';
import { startUnstampingHttpProxy, type FaultyProxy } from '../fixtures/faulty-proxies.js';
import { download, httpEndpoint, ROUTES, startStack, transportFor, type Stack } from '../support/transport-stack.js';

let stack: Stack;
let unstamping: FaultyProxy;
beforeAll(async () => {
  stack = await startStack();
  unstamping = await startUnstampingHttpProxy({ allow: stack.allow });
});
afterAll(async () => {
  await unstamping.close();
  await stack.close();
});

const DELAY_MS = 30;

describe.each(ROUTES)('the origin service time on a $protocol outcome ($origin origin)', (route) => {
  it('is the origin server-timing of a 2xx, inside the time to first byte', async () => {
    const transport = transportFor(stack, route);
    try {
      const origin = route.origin === 'https' ? stack.https.address : stack.http.address;
      const outcome = await transport.execute(download(origin, 1024, 3, delayPath(DELAY_MS, 1024, 3)));
      expect(outcome.ok).toBe(true);
      // The origin waited at least the delay and said so; what it said cannot exceed what we saw.
      expect(outcome.originUs).toBeGreaterThanOrEqual(DELAY_MS * 1000);
      expect(outcome.originUs).toBeLessThanOrEqual(outcome.ttfbUs);
    } finally {
      await transport.close();
    }
  });
});

describe('without the origin service time', () => {
  it('is -1 when the proxy drops the server-timing header', async () => {
    const transport = transportFor(stack, { protocol: 'http-forward', origin: 'http' }, { proxy: httpEndpoint(unstamping) });
    try {
      const outcome = await transport.execute(download(stack.http.address, 1024, 3, delayPath(DELAY_MS, 1024, 3)));
      expect(outcome).toMatchObject({ ok: true, statusCode: 200, originUs: -1 });
    } finally {
      await transport.close();
    }
  });

  it('is -1 on an error status, whose stamp only tells who answered', async () => {
    const transport = transportFor(stack, { protocol: 'direct', origin: 'http' });
    try {
      const outcome = await transport.execute({ ...download(stack.http.address, 1024, 3), path: '/nowhere' });
      expect(outcome).toMatchObject({ ok: false, cause: 'http_status', statusCode: 404, originUs: -1 });
    } finally {
      await transport.close();
    }
  });
});
