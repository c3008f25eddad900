import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SetupError } from '../../core/errors.js';
import { readUdpProbe, udpProbe } from '../../core/origin-wire/stream-contract.js';
import { startUdpEcho, type RunningUdpEcho } from '../../mock-targets/origins/udp-echo.js';
import { UdpInbox } from '../support/socks5-udp-client.js';

describe('the UDP echo', () => {
  let echo: RunningUdpEcho;

  beforeAll(async () => {
    echo = await startUdpEcho();
  });

  afterAll(async () => {
    await echo.close();
  });

  it('sends every numbered datagram back to its sender unchanged', async () => {
    const client = await UdpInbox.open();
    try {
      const before = echo.received();
      for (let sequence = 0; sequence < 40; sequence++) {
        // One at a time: each answer arrives before the next leaves, so the order is known.
        await client.send(udpProbe(99, sequence, 16 + sequence * 30), echo.port);
        const back = await client.nth(sequence);
        expect(back.length).toBe(16 + sequence * 30);
        expect(readUdpProbe(99, back)).toEqual({ kind: 'probe', sequence });
      }
      expect(echo.received() - before).toBe(40);
    } finally {
      await client.close();
    }
  });

  it('answers each sender on its own address and port', async () => {
    const [a, b] = await Promise.all([UdpInbox.open(), UdpInbox.open()]);
    try {
      await a.send(udpProbe(1, 7, 100), echo.port);
      await b.send(udpProbe(2, 8, 100), echo.port);
      expect(readUdpProbe(1, await a.nth(0))).toEqual({ kind: 'probe', sequence: 7 });
      expect(readUdpProbe(2, await b.nth(0))).toEqual({ kind: 'probe', sequence: 8 });
      expect(a.received.length + b.received.length).toBe(2);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('echoes a datagram of 60,000 bytes whole', async () => {
    const client = await UdpInbox.open();
    try {
      await client.send(udpProbe(5, 3, 60_000), echo.port);
      expect(readUdpProbe(5, await client.nth(0))).toEqual({ kind: 'probe', sequence: 3 });
    } finally {
      await client.close();
    }
  });

  it('rejects with SetupError when its port is taken', async () => {
    const error = await startUdpEcho({ port: echo.port }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(SetupError);
    expect((error as Error).message).toContain('EADDRINUSE');
  });
});
