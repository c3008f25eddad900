import { afterEach, describe, expect, it } from 'vitest';
import type { PreparedExchange } from '../../core/exchange.js';
import type { PhaseTimeouts, RequestOutcome } from '../../core/request.js';
import { createExchanger, type Exchanger } from '../../harness/transports/exchanges/exchanger.js';
import { startUdpEcho, type RunningUdpEcho } from '../../mock-targets/origins/udp-echo.js';
import { Allowlist } from '../../mock-targets/proxies/allowlist.js';
import { startSocks5Proxy } from '../../mock-targets/proxies/socks5-proxy.js';
import { startFakeUdpSocks5, type FakeUdpSocks5, type RelayFault } from '../fixtures/fake-udp-socks5.js';

// The udp-echo exchange against a fake SOCKS5 relay whose faults are known in advance, so every
// count is exact: 40 datagrams at 400/s are far fewer than a loopback socket buffer holds, so the
// fake's faults are the only loss, reordering and duplication.
const DATAGRAMS = 40;
const BYTES = 64;
const TIMEOUTS: PhaseTimeouts = { connectMs: 3000, handshakeMs: 3000, ttfbMs: 3000, idleMs: 3000, totalMs: 20_000 };

/** The fake does not forward: the destination only has to be a valid §7 address. */
const exchange = (datagrams = DATAGRAMS, target = { host: '127.0.0.1', port: 9 }): Extract<PreparedExchange, { op: 'udp-echo' }> => ({
  op: 'udp-echo', kind: 'udp', target, seed: 77, datagramBytes: BYTES, datagrams, ratePerSecond: 400,
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fake(options: { refuse?: number; fault?: RelayFault }): Promise<FakeUdpSocks5> {
  const proxy = await startFakeUdpSocks5(options);
  cleanups.push(() => proxy.close());
  return proxy;
}

function socks5Exchanger(port: number, timeouts: PhaseTimeouts = TIMEOUTS): Exchanger {
  const exchanger = createExchanger({ protocol: 'socks5', proxy: { kind: 'socks5', host: '127.0.0.1', port, resolveAtProxy: false }, timeouts });
  cleanups.push(() => exchanger.close());
  return exchanger;
}

/** Runs one exchange and returns its outcome with the round trips it reported. */
async function runOne(exchanger: Exchanger, prepared = exchange()): Promise<{ outcome: RequestOutcome; rtts: number[] }> {
  const rtts: number[] = [];
  const outcome = await exchanger.execute(prepared, (us) => rtts.push(us));
  return { outcome, rtts };
}

describe('udp-echo through SOCKS5 UDP ASSOCIATE (RFC 1928 §7)', () => {
  it('sends every datagram through the relay named by a 0.0.0.0 reply and verifies every echo', async () => {
    const proxy = await fake({ fault: { kind: 'none' } });
    const { outcome, rtts } = await runOne(socks5Exchanger(proxy.port));
    expect(outcome.ok, outcome.detail).toBe(true);
    expect(outcome.messages).toEqual({ sent: DATAGRAMS, received: DATAGRAMS, lost: 0, reordered: 0, duplicates: 0 });
    expect(rtts).toHaveLength(DATAGRAMS);
    expect(rtts.every((us) => us > 0)).toBe(true);
    expect(outcome.bytesOut).toBe(DATAGRAMS * BYTES);
    expect(outcome.bytesIn).toBe(DATAGRAMS * BYTES);
    expect(outcome.connection).toBe('new');
    expect(outcome.connectUs).toBeGreaterThan(0);
    expect(outcome.proxyHandshakeUs).toBeGreaterThan(0);
    expect(outcome.tlsUs).toBe(-1);
    expect(outcome.ttfbUs).toBeGreaterThan(0);
    expect(proxy.associations()).toBe(1);
  });

  it('counts dropped datagrams as lost, not as a failure, and ends after a wait scaled by the round trip, not the idle limit', async () => {
    const proxy = await fake({ fault: { kind: 'drop', every: 4 } });
    // Idle limit longer than the whole limit: waiting it out for the stragglers would end in timeout_total.
    const { outcome, rtts } = await runOne(socks5Exchanger(proxy.port, { ...TIMEOUTS, idleMs: 60_000, totalMs: 15_000 }));
    expect(outcome.ok, outcome.detail).toBe(true);
    expect(outcome.messages).toEqual({ sent: DATAGRAMS, received: DATAGRAMS - DATAGRAMS / 4, lost: DATAGRAMS / 4, reordered: 0, duplicates: 0 });
    expect(rtts).toHaveLength(DATAGRAMS - DATAGRAMS / 4);
  }, 20_000);

  it('counts each duplicate once as received and once as a duplicate', async () => {
    const proxy = await fake({ fault: { kind: 'duplicate' } });
    const { outcome, rtts } = await runOne(socks5Exchanger(proxy.port));
    expect(outcome.ok, outcome.detail).toBe(true);
    // The session ends once every datagram is back: the last one's copy, behind it, comes too late to count.
    expect(outcome.messages).toEqual({ sent: DATAGRAMS, received: DATAGRAMS, lost: 0, reordered: 0, duplicates: DATAGRAMS - 1 });
    expect(rtts).toHaveLength(DATAGRAMS);
    expect(outcome.bytesIn).toBe((2 * DATAGRAMS - 1) * BYTES);
  });

  it('counts an echo that arrives after a later datagram\'s as reordered', async () => {
    const proxy = await fake({ fault: { kind: 'swap-pairs' } });
    const { outcome } = await runOne(socks5Exchanger(proxy.port));
    expect(outcome.ok, outcome.detail).toBe(true);
    expect(outcome.messages).toEqual({ sent: DATAGRAMS, received: DATAGRAMS, lost: 0, reordered: DATAGRAMS / 2, duplicates: 0 });
  });

  it('fails as integrity at a datagram whose bytes changed', async () => {
    const proxy = await fake({ fault: { kind: 'corrupt', every: 5 } });
    const { outcome } = await runOne(socks5Exchanger(proxy.port));
    expect(outcome.ok).toBe(false);
    expect(outcome.cause).toBe('integrity');
    expect(outcome.detail).toMatch(/sequence field 4\) differs from the probe sent/);
    expect(outcome.messages?.received).toBe(4);
  });

  it('fails as integrity when the relay answers with a fragment (FRAG ≠ 0)', async () => {
    const proxy = await fake({ fault: { kind: 'fragment' } });
    const { outcome } = await runOne(socks5Exchanger(proxy.port));
    expect(outcome.cause).toBe('integrity');
    expect(outcome.detail).toContain('FRAG 1');
  });

  it.each([
    [7, 'SOCKS5 UDP ASSOCIATE refused: REP 7 command not supported'],
    [2, 'SOCKS5 UDP ASSOCIATE refused: REP 2 connection not allowed by ruleset'],
  ])('a proxy that answers the ASSOCIATE with REP %i is proxy_refused naming the code', async (rep, detail) => {
    const proxy = await fake({ refuse: rep });
    const { outcome, rtts } = await runOne(socks5Exchanger(proxy.port));
    expect(outcome.ok).toBe(false);
    expect(outcome.cause).toBe('proxy_refused');
    expect(outcome.detail).toBe(detail);
    expect(outcome.messages).toEqual({ sent: 0, received: 0, lost: 0, reordered: 0, duplicates: 0 });
    expect(rtts).toHaveLength(0);
  });

  it('fails as reset when the proxy closes the control connection, which ends the association', async () => {
    const proxy = await fake({ fault: { kind: 'close-control', after: 10 } });
    const { outcome } = await runOne(socks5Exchanger(proxy.port));
    expect(outcome.ok).toBe(false);
    expect(outcome.cause).toBe('reset');
    expect(outcome.detail).toContain('control connection');
    expect(outcome.messages?.received).toBe(9);
  });

  it('fails as timeout_idle when no datagram comes back at all', async () => {
    const proxy = await fake({ fault: { kind: 'drop', every: 1 } });
    const { outcome } = await runOne(socks5Exchanger(proxy.port, { ...TIMEOUTS, idleMs: 300 }), exchange(10));
    expect(outcome.ok).toBe(false);
    expect(outcome.cause).toBe('timeout_idle');
    expect(outcome.messages).toEqual({ sent: 10, received: 0, lost: 10, reordered: 0, duplicates: 0 });
  });

  it('ends an open session when the exchanger closes, as a failure', async () => {
    const proxy = await fake({ fault: { kind: 'none' } });
    const exchanger = socks5Exchanger(proxy.port);
    // 1,000 datagrams at 400/s take 2.5 s: still sending when the exchanger closes.
    const pending = runOne(exchanger, exchange(1000));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await exchanger.close();
    const { outcome } = await pending;
    expect(outcome.ok).toBe(false);
    expect(outcome.cause).toBe('other');
    expect(outcome.messages!.sent).toBeLessThan(1000);
  });
});

describe('udp-echo through the reference SOCKS5 proxy, which forwards to the UDP echo', () => {
  it('authenticates (RFC 1929) before the ASSOCIATE, and a wrong password is proxy_auth', async () => {
    const echo = await startUdpEcho();
    cleanups.push(() => echo.close());
    const credentials = { username: 'bench', password: 'pässword' };
    const proxy = await startSocks5Proxy({ allow: new Allowlist([{ host: echo.host, port: echo.port }]), auth: credentials });
    cleanups.push(() => proxy.close());
    const exchangerWith = (password: string): Exchanger => {
      const exchanger = createExchanger({ protocol: 'socks5', proxy: { kind: 'socks5', host: '127.0.0.1', port: proxy.port, resolveAtProxy: false, auth: { ...credentials, password } }, timeouts: TIMEOUTS });
      cleanups.push(() => exchanger.close());
      return exchanger;
    };
    const target = { host: echo.host, port: echo.port };
    const { outcome, rtts } = await runOne(exchangerWith(credentials.password), exchange(DATAGRAMS, target));
    expect(outcome.ok, outcome.detail).toBe(true);
    expect(outcome.messages).toEqual({ sent: DATAGRAMS, received: DATAGRAMS, lost: 0, reordered: 0, duplicates: 0 });
    expect(rtts).toHaveLength(DATAGRAMS);
    expect(echo.received()).toBe(DATAGRAMS);
    const refused = await runOne(exchangerWith('wrong'), exchange(DATAGRAMS, target));
    expect(refused.outcome.cause).toBe('proxy_auth');
    expect(echo.received()).toBe(DATAGRAMS);
  });
});

describe('udp-echo direct (no proxy)', () => {
  let echo: RunningUdpEcho | undefined;
  afterEach(async () => {
    await echo?.close();
    echo = undefined;
  });

  it('sends every datagram straight to the UDP echo and verifies every echo', async () => {
    echo = await startUdpEcho();
    const exchanger = createExchanger({ protocol: 'direct', timeouts: TIMEOUTS });
    cleanups.push(() => exchanger.close());
    const { outcome, rtts } = await runOne(exchanger, exchange(DATAGRAMS, { host: echo.host, port: echo.port }));
    expect(outcome.ok, outcome.detail).toBe(true);
    expect(outcome.messages).toEqual({ sent: DATAGRAMS, received: DATAGRAMS, lost: 0, reordered: 0, duplicates: 0 });
    expect(rtts).toHaveLength(DATAGRAMS);
    expect(echo.received()).toBe(DATAGRAMS);
    // UDP has no connection to set up.
    expect(outcome.connection).toBe('none');
    expect(outcome.proxyHandshakeUs).toBe(-1);
  });
});
