import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readUdpProbe, udpProbe } from '../../core/origin-wire/stream-contract.js';
import { startUdpEcho, type RunningUdpEcho } from '../../mock-targets/origins/udp-echo.js';
import { Allowlist } from '../../mock-targets/proxies/allowlist.js';
import type { RunningProxyServer } from '../../mock-targets/proxies/http-proxy.js';
import { startSocks5Proxy } from '../../mock-targets/proxies/socks5-proxy.js';
import { UdpInbox, associate, settle } from '../support/socks5-udp-client.js';

const CREDENTIALS = { username: 'bench', password: 'udp-pass' };

/** Whether a UDP socket can bind 127.0.0.1:`port` right now (false: something holds it). */
function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

describe('UDP ASSOCIATE in the reference SOCKS5 proxy', () => {
  let echo: RunningUdpEcho;
  /** A UDP socket on no allowlist of `proxy`: whatever reaches it went through an open relay. */
  let outsider: UdpInbox;
  let proxy: RunningProxyServer;
  let authProxy: RunningProxyServer;
  /** Allows the outsider too: shows the outsider would see a forwarded datagram. */
  let openerProxy: RunningProxyServer;

  beforeAll(async () => {
    [echo, outsider] = await Promise.all([startUdpEcho(), UdpInbox.open()]);
    const allow = new Allowlist([{ host: '127.0.0.1', port: echo.port }]);
    proxy = await startSocks5Proxy({ allow });
    authProxy = await startSocks5Proxy({ allow, auth: CREDENTIALS });
    openerProxy = await startSocks5Proxy({ allow: new Allowlist([{ host: '127.0.0.1', port: echo.port }, { host: '127.0.0.1', port: outsider.port }]) });
  });

  afterAll(async () => {
    await Promise.all([proxy.close(), authProxy.close(), openerProxy.close(), echo.close(), outsider.close()]);
  });

  it('replies REP 0 with a relay on the proxy host, and relays numbered datagrams to the UDP echo and back', async () => {
    const association = await associate(proxy);
    try {
      expect(association.rep).toBe(0);
      expect(association.relayHost).toBe('127.0.0.1');
      expect(association.relayPort).toBeGreaterThan(0);
      expect(association.relayPort).not.toBe(proxy.port);
      for (let sequence = 0; sequence < 20; sequence++) {
        await association.sendTo('127.0.0.1', echo.port, udpProbe(42, sequence, 64 + sequence));
        const reply = await association.reply(sequence);
        // Wrapped with the same header, naming where the reply came from.
        expect(reply).toMatchObject({ frag: 0, host: '127.0.0.1', port: echo.port });
        expect(reply.data.length).toBe(64 + sequence);
        expect(readUdpProbe(42, reply.data)).toEqual({ kind: 'probe', sequence });
      }
    } finally {
      await association.close();
    }
  });

  it('resolves a destination given as a name (ATYP 3) and checks the address it resolves to', async () => {
    const association = await associate(proxy);
    try {
      await association.sendTo('localhost', echo.port, udpProbe(1, 5, 40));
      const reply = await association.reply(0);
      expect(reply).toMatchObject({ host: '127.0.0.1', port: echo.port });
      expect(readUdpProbe(1, reply.data)).toEqual({ kind: 'probe', sequence: 5 });
    } finally {
      await association.close();
    }
  });

  it('works after RFC 1929 authentication', async () => {
    const association = await associate(authProxy, CREDENTIALS);
    try {
      await association.sendTo('127.0.0.1', echo.port, udpProbe(3, 0, 32));
      expect(readUdpProbe(3, (await association.reply(0)).data)).toEqual({ kind: 'probe', sequence: 0 });
    } finally {
      await association.close();
    }
  });

  it('drops a datagram to a destination not on the allowlist: nothing reaches it', async () => {
    const association = await associate(proxy);
    const before = outsider.received.length;
    try {
      await association.sendTo('127.0.0.1', outsider.port, udpProbe(7, 0, 32));
      // Sent after the forbidden one on the same socket: once its echo is back, the relay has
      // already handled the forbidden datagram; the wait only lets a forwarded one land.
      await association.sendTo('127.0.0.1', echo.port, udpProbe(7, 1, 32));
      expect(readUdpProbe(7, (await association.reply(0)).data)).toEqual({ kind: 'probe', sequence: 1 });
      await settle();
      expect(outsider.received.length - before).toBe(0);
      expect(association.inbox.received.length).toBe(1);
    } finally {
      await association.close();
    }
  });

  it('(control) forwards the same datagram to the outsider when the allowlist names it', async () => {
    const association = await associate(openerProxy);
    const before = outsider.received.length;
    try {
      await association.sendTo('127.0.0.1', outsider.port, udpProbe(7, 0, 32));
      const arrived = await outsider.nth(before);
      expect(readUdpProbe(7, arrived)).toEqual({ kind: 'probe', sequence: 0 });
    } finally {
      await association.close();
    }
  });

  it('drops a datagram whose FRAG is not 0 (fragmentation is not supported)', async () => {
    const association = await associate(proxy);
    const before = echo.received();
    try {
      await association.sendTo('127.0.0.1', echo.port, udpProbe(9, 1, 32), 1);
      await association.sendTo('127.0.0.1', echo.port, udpProbe(9, 2, 32), 0x81);
      await association.sendTo('127.0.0.1', echo.port, udpProbe(9, 3, 32), 0);
      expect(readUdpProbe(9, (await association.reply(0)).data)).toEqual({ kind: 'probe', sequence: 3 });
      await settle();
      expect(association.inbox.received.length).toBe(1);
      expect(echo.received() - before).toBe(1);
    } finally {
      await association.close();
    }
  });

  it('drops datagrams from another port of the client host once the client port is known', async () => {
    const association = await associate(proxy);
    const stranger = await UdpInbox.open();
    const before = echo.received();
    try {
      await association.sendTo('127.0.0.1', echo.port, udpProbe(4, 0, 32));
      await association.reply(0);
      const header = Buffer.from([0, 0, 0, 1, 127, 0, 0, 1, echo.port >> 8, echo.port & 0xff]);
      await stranger.send(Buffer.concat([header, udpProbe(4, 1, 32)]), association.relayPort);
      await association.sendTo('127.0.0.1', echo.port, udpProbe(4, 2, 32));
      expect(readUdpProbe(4, (await association.reply(1)).data)).toEqual({ kind: 'probe', sequence: 2 });
      await settle();
      expect(stranger.received.length).toBe(0);
      expect(echo.received() - before).toBe(2);
    } finally {
      await Promise.all([association.close(), stranger.close()]);
    }
  });

  it('drops datagrams from another IP than the control connection\'s, even before the client sent any', async () => {
    const association = await associate(proxy);
    // 127.0.0.2 is loopback too (all of 127/8 is), but not the address the client connected from.
    const stranger = await UdpInbox.open('127.0.0.2');
    const before = echo.received();
    try {
      const header = Buffer.from([0, 0, 0, 1, 127, 0, 0, 1, echo.port >> 8, echo.port & 0xff]);
      await stranger.send(Buffer.concat([header, udpProbe(6, 0, 32)]), association.relayPort);
      await association.sendTo('127.0.0.1', echo.port, udpProbe(6, 1, 32));
      expect(readUdpProbe(6, (await association.reply(0)).data)).toEqual({ kind: 'probe', sequence: 1 });
      await settle();
      expect(stranger.received.length).toBe(0);
      expect(echo.received() - before).toBe(1);
    } finally {
      await Promise.all([association.close(), stranger.close()]);
    }
  });

  it('closes the relay when the TCP control connection closes', async () => {
    const association = await associate(proxy);
    try {
      expect(await canBind(association.relayPort)).toBe(false);
      association.control.socket.destroy();
      // Bounded: the relay's port is free again once the proxy has seen the close.
      let free = false;
      for (let attempt = 0; attempt < 100 && !free; attempt++) {
        free = await canBind(association.relayPort);
        if (!free) await settle(20);
      }
      expect(free).toBe(true);
    } finally {
      await association.close();
    }
  });
});
