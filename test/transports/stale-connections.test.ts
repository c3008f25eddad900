import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OriginAddress, RequestOutcome } from '../../core/request.js';
import { startClosingHttpProxy } from '../fixtures/faulty-proxies.js';
import { startStaleConnectionServer, type StaleConnectionServer } from '../fixtures/stale-connection-server.js';
import { download, httpEndpoint, startStack, transportFor, upload, type Stack } from '../support/transport-stack.js';

let stack: Stack;
let stale: StaleConnectionServer;
beforeAll(async () => {
  [stack, stale] = await Promise.all([startStack(), startStaleConnectionServer()]);
});
afterAll(async () => {
  await Promise.all([stack.close(), stale.close()]);
});

/** The stale-connection server, as an origin for direct. */
function staleOrigin(): OriginAddress {
  return { protocol: 'http', host: stale.host, port: stale.port };
}

/** Runs `count` requests one after the other. */
async function sequence(count: number, run: () => Promise<RequestOutcome>): Promise<RequestOutcome[]> {
  const outcomes: RequestOutcome[] = [];
  for (let i = 0; i < count; i++) outcomes.push(await run());
  return outcomes;
}

// The stale-connection server answers the first request of each connection and drops the
// connection when the next one arrives: every reused connection is stale, deterministically.
describe.each([
  { protocol: 'direct', closer: 'the origin' },
  { protocol: 'http-forward', closer: 'a forward proxy' },
] as const)('over $protocol, when $closer closes a kept-alive connection as it is reused', ({ protocol }) => {
  // For direct the stale server is the origin; as a forward proxy it answers for the stack's origin.
  const target = (): OriginAddress => (protocol === 'direct' ? staleOrigin() : stack.http.address);
  function staleTransport() {
    return protocol === 'direct'
      ? transportFor(stack, { protocol, origin: 'http' }, { origin: staleOrigin(), maxConnections: 1 })
      : transportFor(stack, { protocol, origin: 'http' }, { proxy: httpEndpoint(stale), maxConnections: 1 });
  }

  it('a GET is re-sent once on a new connection and succeeds, flagged staleRetried', async () => {
    const transport = staleTransport();
    const dropsBefore = stale.dropped();
    try {
      const request = download(target(), 1024, 9);
      const outcomes = await sequence(5, () => transport.execute(request));
      expect(outcomes.map((o) => o.ok)).toEqual([true, true, true, true, true]);
      // 2 and 4 reuse the connection 1 and 3 opened and meet its close; the retry runs on a
      // connection of its own, closed after, so 3 and 5 open the next one.
      expect(outcomes.map((o) => o.staleRetried)).toEqual([false, true, false, true, false]);
      expect(stale.dropped()).toBe(dropsBefore + 2);
      // The retry ran on a connection opened for it, so it reports that connection's setup.
      for (const outcome of outcomes) {
        expect(outcome.connection).toBe('new');
        expect(outcome.connectUs).toBeGreaterThan(0);
        expect(outcome.bytesIn).toBe(1024);
      }
    } finally {
      await transport.close();
    }
  });

  it('a POST is not re-sent: it fails as reset', async () => {
    const transport = staleTransport();
    try {
      const first = await transport.execute(download(target(), 1024, 9));
      const post = await transport.execute(upload(target(), 16 * 1024));
      expect(first.ok).toBe(true);
      expect(post).toMatchObject({ ok: false, cause: 'reset', connection: 'reused', staleRetried: false, statusCode: 0 });
    } finally {
      await transport.close();
    }
  });
});

describe('a proxy that closes after every response without saying so (tinyproxy-like)', () => {
  it('costs no failures: 30 GETs all verified, each on a new connection, stale ones retried', async () => {
    const proxy = await startClosingHttpProxy({ allow: stack.allow });
    const transport = transportFor(stack, { protocol: 'http-forward', origin: 'http' }, { proxy: httpEndpoint(proxy), maxConnections: 2 });
    try {
      const request = download(stack.http.address, 1024, 4);
      const lanes = await Promise.all([0, 1].map(() => sequence(15, () => transport.execute(request))));
      const outcomes = lanes.flat();
      expect(outcomes.filter((o) => !o.ok)).toEqual([]);
      expect(outcomes.every((o) => o.connection === 'new' && o.bytesIn === 1024)).toBe(true);
      // How many met a closing connection (staleRetried) depends on when each FIN lands relative
      // to undici's idle-socket check; either way none may fail.
    } finally {
      await transport.close();
      await proxy.close();
    }
  });
});

describe('a stale GET whose retry meets a closed connection too', () => {
  it('is not re-sent a second time: it fails as reset, flagged staleRetried', async () => {
    const once = await startStaleConnectionServer({ answerAtMost: 1 });
    const transport = transportFor(stack, { protocol: 'direct', origin: 'http' }, { origin: { protocol: 'http', host: once.host, port: once.port }, maxConnections: 1 });
    try {
      const outcomes = await sequence(2, () => transport.execute(download({ protocol: 'http', host: once.host, port: once.port }, 1024, 9)));
      expect(outcomes[0]).toMatchObject({ ok: true, connection: 'new', staleRetried: false });
      expect(outcomes[1]).toMatchObject({ ok: false, cause: 'reset', connection: 'new', staleRetried: true });
      expect(once.dropped()).toBe(2);
    } finally {
      await transport.close();
      await once.close();
    }
  });
});

describe('new-per-request connections', () => {
  it('are never stale: the dropping server answers every request and none is retried', async () => {
    const transport = transportFor(stack, { protocol: 'direct', origin: 'http' }, { origin: staleOrigin(), connectionPolicy: 'new-per-request' });
    try {
      const outcomes = await sequence(4, () => transport.execute(download(staleOrigin(), 1024, 9)));
      expect(outcomes.map((o) => [o.ok, o.connection, o.staleRetried])).toEqual(Array(4).fill([true, 'new', false]));
    } finally {
      await transport.close();
    }
  });
});
