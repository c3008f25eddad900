import diagnosticsChannel from 'node:diagnostics_channel';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, type Dispatcher } from 'undici';
import '../../harness/transports/socket-tracker.js';
import { download, ROUTES, startStack, transportFor, type Stack } from '../support/transport-stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
});

describe('undici (the assumption socket-tracker.ts rests on)', () => {
  it('calls onRequestStart and then, synchronously, publishes sendHeaders with the socket the connector made', async () => {
    const events: string[] = [];
    const made: Socket[] = [];
    let published: unknown;
    const onSendHeaders = (message: unknown): void => {
      events.push('sendHeaders');
      published = (message as { socket: unknown }).socket;
    };
    diagnosticsChannel.subscribe('undici:client:sendHeaders', onSendHeaders);
    const { host, port } = stack.http.address;
    const client = new Client(`http://${host}:${port}`, {
      connect: (_options, callback) => {
        const socket = connect({ host, port }, () => callback(null, socket));
        made.push(socket);
      },
    });
    try {
      await new Promise<void>((resolve, reject) => {
        const handler: Dispatcher.DispatchHandler = {
          onRequestStart: () => {
            events.push('onRequestStart');
            // Anything asynchronous would land after the publish; nothing may come between.
            queueMicrotask(() => events.push('microtask'));
          },
          onResponseStart: () => events.push('onResponseStart'),
          onResponseEnd: () => resolve(),
          onResponseError: (_controller, err) => reject(err),
        };
        client.dispatch({ path: '/bytes/16?seed=1', method: 'GET' }, handler);
      });
      expect(events).toEqual(['onRequestStart', 'sendHeaders', 'microtask', 'onResponseStart']);
      expect(made).toHaveLength(1);
      expect(published).toBe(made[0]);
    } finally {
      diagnosticsChannel.unsubscribe('undici:client:sendHeaders', onSendHeaders);
      await client.close();
    }
  });
});

describe.each(ROUTES)('requests over $protocol to an $origin origin, three at a time on three connections', (route) => {
  it('see three new connections, then the same three reused', async () => {
    const transport = transportFor(stack, route, { maxConnections: 3 });
    const origin = route.origin === 'https' ? stack.https.address : stack.http.address;
    try {
      const round = () => Promise.all([1, 2, 3].map((seed) => transport.execute(download(origin, 2048, seed))));
      const first = await round();
      const second = await round();
      expect(first.map((o) => [o.ok, o.connection])).toEqual(Array(3).fill([true, 'new']));
      expect(second.map((o) => [o.ok, o.connection, o.connectUs])).toEqual(Array(3).fill([true, 'reused', -1]));
    } finally {
      await transport.close();
    }
  });
});
