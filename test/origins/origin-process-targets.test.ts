import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { type RawData } from 'ws';
import { readUdpProbe, streamBytes, udpProbe } from '../../core/origin-wire/stream-contract.js';
import { startOriginProcess, type RunningOriginProcess } from '../../mock-targets/origins/origin-launcher.js';
import { startReferenceProxies, type RunningReferenceProxies } from '../../mock-targets/proxies/reference-proxies.js';
import { UdpInbox, associate } from '../support/socks5-udp-client.js';
import { runStream } from '../support/stream-client.js';

// These tests fork dist/mock-targets/origins/origin-process.js and the reference proxies' child:
// run `npm run build` first.

/** Sends one message and resolves with the echo (bytes, and whether it was binary). */
async function echoOnce(url: string, message: Buffer | string, ca?: string): Promise<{ data: Buffer; isBinary: boolean }> {
  const ws = new WebSocket(url, ca === undefined ? {} : { ca });
  await once(ws, 'open');
  const reply = once(ws, 'message') as Promise<[RawData, boolean]>;
  ws.send(message, { binary: typeof message !== 'string' });
  const [data, isBinary] = await reply;
  ws.close();
  return { data: Buffer.from(data as Buffer), isBinary };
}

describe('the stream targets in the mock targets child process', () => {
  let targets: RunningOriginProcess;

  beforeAll(async () => {
    targets = await startOriginProcess({ http: false, https: false, tcpEcho: false, tcpSourceSink: true, webSocketEcho: true, webSocketEchoTls: true, udpEcho: true });
  });

  afterAll(async () => {
    await targets.stop();
  });

  it('returns the address of each target it was asked for, and the test CA for wss', () => {
    expect(targets.tcpSourceSink).toEqual({ host: '127.0.0.1', port: expect.any(Number) });
    expect(targets.udpEcho).toEqual({ host: '127.0.0.1', port: expect.any(Number) });
    expect(targets.webSocketEcho).toEqual({ host: '127.0.0.1', port: expect.any(Number), tls: false, url: `ws://127.0.0.1:${targets.webSocketEcho?.port}/echo` });
    expect(targets.webSocketEchoTls?.url).toBe(`wss://127.0.0.1:${targets.webSocketEchoTls?.port}/echo`);
    expect(targets.caPem).toContain('BEGIN CERTIFICATE');
    expect(targets.http).toBeUndefined();
  });

  it('serves a verified download and judges an upload on the TCP source/sink', async () => {
    const address = targets.tcpSourceSink!;
    expect((await runStream(address, { direction: 'down', bytes: 1_000_000, seed: 12 })).down).toEqual({ kind: 'ok', bytes: 1_000_000 });
    expect((await runStream(address, { direction: 'both', bytes: 300_000, seed: 12 })).verdict).toEqual({ kind: 'ok', bytes: 300_000 });
  });

  it('echoes over ws and wss', async () => {
    expect(await echoOnce(targets.webSocketEcho!.url, 'hi')).toEqual({ data: Buffer.from('hi'), isBinary: false });
    const bytes = streamBytes(3, 0, 2048);
    const echoed = await echoOnce(targets.webSocketEchoTls!.url, bytes, targets.caPem);
    expect(echoed.isBinary).toBe(true);
    expect(echoed.data.equals(bytes)).toBe(true);
  });

  it('echoes UDP datagrams', async () => {
    const client = await UdpInbox.open();
    try {
      await client.send(udpProbe(8, 0, 100), targets.udpEcho!.port);
      expect(readUdpProbe(8, await client.nth(0))).toEqual({ kind: 'probe', sequence: 0 });
    } finally {
      await client.close();
    }
  });

  it('relays UDP through the reference SOCKS5 proxy child to the UDP echo child', async () => {
    let proxies: RunningReferenceProxies | undefined;
    try {
      proxies = await startReferenceProxies({ http: false, socks5: true, allow: [targets.udpEcho!] });
      const association = await associate(proxies.socks5!);
      try {
        for (let sequence = 0; sequence < 5; sequence++) {
          await association.sendTo('127.0.0.1', targets.udpEcho!.port, udpProbe(77, sequence, 200));
          const reply = await association.reply(sequence);
          expect(reply).toMatchObject({ host: '127.0.0.1', port: targets.udpEcho!.port });
          expect(readUdpProbe(77, reply.data)).toEqual({ kind: 'probe', sequence });
        }
      } finally {
        await association.close();
      }
    } finally {
      await proxies?.stop();
    }
  });
});

describe('the mock targets child process with the stream targets not asked for', () => {
  it('starts none of them', async () => {
    const targets = await startOriginProcess({ http: true, https: false, tcpEcho: false });
    try {
      expect(targets.http?.port).toBeGreaterThan(0);
      expect([targets.tcpSourceSink, targets.webSocketEcho, targets.webSocketEchoTls, targets.udpEcho, targets.caPem]).toEqual([undefined, undefined, undefined, undefined, undefined]);
    } finally {
      await targets.stop();
    }
  });
});
