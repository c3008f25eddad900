import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OriginAddress } from '../../core/request.js';
import { download, socksEndpoint, startStack, transportFor, type Stack } from '../support/transport-stack.js';

/** A TCP relay in front of the SOCKS5 proxy that keeps what clients send, to read the request's ATYP. */
interface Tap {
  readonly host: string;
  readonly port: number;
  readonly sent: () => Buffer;
  close(): Promise<void>;
}

async function startTap(upstreamPort: number): Promise<Tap> {
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: upstreamPort });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.once('close', () => sockets.delete(socket));
    }
    client.on('data', (chunk: Buffer) => chunks.push(chunk));
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: '127.0.0.1',
    port: (server.address() as { port: number }).port,
    sent: () => Buffer.concat(chunks),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** The CONNECT request after a no-auth greeting (RFC 1928 §4): VER CMD RSV ATYP DST.ADDR DST.PORT. */
function connectRequestOf(sent: Buffer): { atyp: number; address: string; port: number } {
  const greetingBytes = 2 + (sent[1] ?? 0);
  const request = sent.subarray(greetingBytes);
  const atyp = request[3] ?? 0;
  if (atyp === 0x01) return { atyp, address: [...request.subarray(4, 8)].join('.'), port: request.readUInt16BE(8) };
  if (atyp === 0x03) {
    const length = request[4] ?? 0;
    return { atyp, address: request.toString('latin1', 5, 5 + length), port: request.readUInt16BE(5 + length) };
  }
  return { atyp, address: '', port: 0 };
}

let stack: Stack;
let tap: Tap;
beforeAll(async () => {
  stack = await startStack();
  tap = await startTap(stack.socksProxy.port);
});
afterAll(async () => {
  await tap.close();
  await stack.close();
});

describe('a SOCKS5 transport to an origin named localhost', () => {
  it.each([
    { scheme: 'socks5h', resolveAtProxy: true, sends: 'the name unresolved (ATYP 3)', expected: { atyp: 0x03, address: 'localhost' } },
    { scheme: 'socks5', resolveAtProxy: false, sends: 'the address it resolved (ATYP 1)', expected: { atyp: 0x01, address: '127.0.0.1' } },
  ])('over $scheme sends the proxy $sends', async ({ resolveAtProxy, expected }) => {
    const origin: OriginAddress = { protocol: 'http', host: 'localhost', port: stack.http.address.port };
    const before = tap.sent().length;
    const transport = transportFor(stack, { protocol: 'socks5', origin: 'http' }, { origin, proxy: socksEndpoint(tap, { resolveAtProxy }) });
    try {
      const outcome = await transport.execute(download(origin, 1024, 3));
      expect(outcome).toMatchObject({ ok: true, bytesIn: 1024, connection: 'new' });
      expect(connectRequestOf(tap.sent().subarray(before))).toEqual({ ...expected, port: origin.port });
    } finally {
      await transport.close();
    }
  });
});
