import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PreparedExchange } from '../../core/exchange.js';
import { formatStreamHeader, type StreamDirection } from '../../core/origin-wire/stream-contract.js';
import type { PhaseTimeouts, RequestOutcome } from '../../core/request.js';
import { createExchanger } from '../../harness/transports/exchanges/exchanger.js';
import { startTcpEcho, type RunningTcpEcho } from '../../mock-targets/origins/tcp-echo.js';
import { startTcpSourceSink, type RunningTcpSourceSink } from '../../mock-targets/origins/tcp-source-sink.js';
import { Allowlist } from '../../mock-targets/proxies/allowlist.js';
import { startHttpProxy, type RunningProxyServer } from '../../mock-targets/proxies/http-proxy.js';
import { startSocks5Proxy } from '../../mock-targets/proxies/socks5-proxy.js';
import { startTamperingSocks5Proxy, type Tamper, type TamperingProxy } from '../fixtures/tampering-socks5-proxy.js';
import { httpEndpoint, socksEndpoint, TEST_TIMEOUTS } from '../support/transport-stack.js';

// The tcp-echo and tcp-bulk exchanges on their own, against the real stream targets through the
// reference proxies and a tampering SOCKS5 proxy: exact byte counts, and each fault's cause and
// detail (the report keeps only causes, so details are checked here).

const MiB = 1024 * 1024;
let echo: RunningTcpEcho;
let sourceSink: RunningTcpSourceSink;
let connectProxy: RunningProxyServer;
let socksProxy: RunningProxyServer;
let tampering: TamperingProxy | undefined;

beforeAll(async () => {
  [echo, sourceSink] = await Promise.all([startTcpEcho(), startTcpSourceSink()]);
  const allow = new Allowlist([echo, sourceSink].map(({ host, port }) => ({ host, port })));
  [connectProxy, socksProxy] = await Promise.all([startHttpProxy({ allow }), startSocks5Proxy({ allow })]);
});
afterAll(async () => {
  await Promise.all([connectProxy.close(), socksProxy.close()]);
  await Promise.all([echo.close(), sourceSink.close()]);
});
afterEach(async () => {
  await tampering?.close();
  tampering = undefined;
});

const bulk = (bytes: number, direction: StreamDirection): PreparedExchange => ({
  op: 'tcp-bulk',
  kind: `bulk-${direction}`,
  target: { host: sourceSink.host, port: sourceSink.port },
  seed: 7,
  bytes,
  direction,
});
const echoes = (messageBytes: number, messages: number): PreparedExchange => ({
  op: 'tcp-echo',
  kind: 'echo',
  target: { host: echo.host, port: echo.port },
  seed: 9,
  messageBytes,
  messages,
});

type Via = 'connect' | 'socks5' | 'tampering';

/** Runs one exchange through `via`; returns its outcome and how many round trips were reported. */
async function execute(exchange: PreparedExchange, via: Via, timeouts: Partial<PhaseTimeouts> = {}): Promise<{ outcome: RequestOutcome; rtts: number }> {
  const proxy = via === 'connect' ? httpEndpoint(connectProxy) : socksEndpoint(via === 'socks5' ? socksProxy : tampering!);
  const exchanger = createExchanger({ protocol: via === 'connect' ? 'connect' : 'socks5', proxy, timeouts: { ...TEST_TIMEOUTS, ...timeouts } });
  let rtts = 0;
  try {
    const outcome = await exchanger.execute(exchange, () => rtts++);
    return { outcome, rtts };
  } finally {
    await exchanger.close();
  }
}

async function through(tamper: Tamper): Promise<Via> {
  tampering = await startTamperingSocks5Proxy(tamper);
  return 'tampering';
}

describe('tcp-bulk through the reference proxies', () => {
  for (const via of ['connect', 'socks5'] as const) {
    it.each(['down', 'up', 'both'] as const)(`moves 3 MiB %s through ${via}, every payload byte counted once`, async (direction) => {
      const before = sourceSink.stats();
      const { outcome, rtts } = await execute(bulk(3 * MiB + 17, direction), via);
      expect(outcome.cause).toBeUndefined();
      expect(outcome.ok).toBe(true);
      expect(outcome.bytesIn).toBe(direction === 'up' ? 0 : 3 * MiB + 17);
      expect(outcome.bytesOut).toBe(direction === 'down' ? 0 : 3 * MiB + 17);
      expect(outcome.messages).toBeUndefined();
      expect(rtts).toBe(0);
      expect(outcome.ttfbUs).toBeGreaterThan(0);
      expect(outcome.proxyHandshakeUs).toBeGreaterThan(0);
      // The target checked every up byte (and only those).
      expect(sourceSink.stats().bytesChecked - before.bytesChecked).toBe(direction === 'down' ? 0 : 3 * MiB + 17);
    });
  }

  it('moves 0 bytes both ways: the header, an OK 0 verdict and the end', async () => {
    const { outcome } = await execute(bulk(0, 'both'), 'socks5');
    expect(outcome.ok).toBe(true);
    expect([outcome.bytesIn, outcome.bytesOut]).toEqual([0, 0]);
  });
});

describe('tcp-echo through the reference proxies', () => {
  it.each(['connect', 'socks5'] as const)('echoes 100 messages of 64 B through %s, each verified and timed', async (via) => {
    const { outcome, rtts } = await execute(echoes(64, 100), via);
    expect(outcome.ok).toBe(true);
    expect(outcome.messages).toEqual({ sent: 100, received: 100, lost: 0, reordered: 0, duplicates: 0 });
    expect(rtts).toBe(100);
    expect([outcome.bytesIn, outcome.bytesOut]).toEqual([6400, 6400]);
  });
});

describe('tcp-bulk classifies a harmful proxy', () => {
  it('a byte changed on the way down is integrity, at its offset', async () => {
    const { outcome } = await execute(bulk(MiB, 'down'), await through({ kind: 'flip', every: 1, direction: 'down', atByte: 100_000 }));
    expect(outcome.ok).toBe(false);
    expect(outcome.cause).toBe('integrity');
    expect(outcome.detail).toBe('the down stream differs from the target\'s at byte 100000');
  });

  it('a byte changed on the way up is integrity, from the target\'s BAD verdict with the offset', async () => {
    const headerBytes = formatStreamHeader({ direction: 'up', bytes: MiB, seed: 7 }).length;
    const { outcome } = await execute(bulk(MiB, 'up'), await through({ kind: 'flip', every: 1, direction: 'up', atByte: headerBytes + 5000 }));
    expect(outcome.cause).toBe('integrity');
    expect(outcome.detail).toBe('the target found upload byte 5000 wrong (BAD 5000 mismatch)');
  });

  it('an upload the proxy cuts short (FIN to the target) is integrity: the target says truncated', async () => {
    const headerBytes = formatStreamHeader({ direction: 'up', bytes: MiB, seed: 7 }).length;
    const { outcome } = await execute(bulk(MiB, 'up'), await through({ kind: 'cut', direction: 'up', afterBytes: headerBytes + 4096 }));
    expect(outcome.cause).toBe('integrity');
    expect(outcome.detail).toBe('the target saw the upload end after 4096 bytes (BAD 4096 truncated)');
  });

  it('a download the proxy ends mid-stream is reset', async () => {
    const { outcome } = await execute(bulk(MiB, 'down'), await through({ kind: 'cut', direction: 'down', afterBytes: 200_000 }));
    expect(outcome.cause).toBe('reset');
    expect(outcome.detail).toContain('the stream was closed before the 1048576 bytes of the down stream');
    expect(outcome.bytesIn).toBe(200_000);
  });

  it.each(['down', 'up', 'both'] as const)('bytes after the answer (%s) are integrity', async (direction) => {
    const { outcome } = await execute(bulk(64 * 1024, direction), await through({ kind: 'append', bytes: 3 }));
    expect(outcome.cause).toBe('integrity');
    expect(outcome.detail).toBe(direction === 'down' ? '3 more bytes arrived after the 65536 bytes of the down stream' : '3 more bytes arrived after the verdict line');
  });

  it.each(['down', 'up', 'both'] as const)('a tunnel that stays silent (%s) is timeout_idle', async (direction) => {
    const { outcome } = await execute(bulk(64 * 1024, direction), await through({ kind: 'silent' }), { idleMs: 300 });
    expect(outcome.cause).toBe('timeout_idle');
    expect(outcome.detail).toMatch(/^no byte for 300 ms while waiting for /);
  });

  it('an upload the proxy stops taking is timeout_idle, though the target owes no answer until its end', async () => {
    // 32 MiB is more than loopback's socket buffers on both sides can hold, so the writes stall.
    const { outcome } = await execute(bulk(32 * MiB, 'up'), await through({ kind: 'stall' }), { idleMs: 300 });
    expect(outcome.cause).toBe('timeout_idle');
    expect(outcome.bytesOut).toBeLessThan(32 * MiB);
  });

  it('a whole limit shorter than the transfer is timeout_total', async () => {
    // The silent tunnel never answers; the idle limit is longer than the whole one.
    const { outcome } = await execute(bulk(MiB, 'down'), await through({ kind: 'silent' }), { idleMs: 5000, totalMs: 300 });
    expect(outcome.cause).toBe('timeout_total');
  });
});

describe('tcp-echo classifies a harmful proxy', () => {
  it('a changed echo byte is integrity, naming the message, and the messages after it are lost', async () => {
    const { outcome, rtts } = await execute(echoes(64, 100), await through({ kind: 'flip', every: 1, direction: 'down', atByte: 64 * 10 + 5 }));
    expect(outcome.cause).toBe('integrity');
    expect(outcome.detail).toBe('echo differs from what was sent at byte 645 (message 11)');
    expect(rtts).toBe(10);
    expect(outcome.messages).toEqual({ sent: 11, received: 10, lost: 1, reordered: 0, duplicates: 0 });
  });

  it('a changed byte on the way up comes back changed: integrity too', async () => {
    const { outcome } = await execute(echoes(64, 100), await through({ kind: 'flip', every: 1, direction: 'up', atByte: 64 * 3 }));
    expect(outcome.cause).toBe('integrity');
    expect(outcome.detail).toBe('echo differs from what was sent at byte 192 (message 4)');
  });

  it('a tunnel the proxy ends mid-session is reset', async () => {
    const { outcome } = await execute(echoes(64, 100), await through({ kind: 'cut', direction: 'down', afterBytes: 64 * 20 }));
    expect(outcome.cause).toBe('reset');
    expect(outcome.messages).toMatchObject({ sent: 21, received: 20, lost: 1 });
  });

  it('a tunnel that stays silent is timeout_idle', async () => {
    const { outcome } = await execute(echoes(64, 100), await through({ kind: 'silent' }), { idleMs: 300 });
    expect(outcome.cause).toBe('timeout_idle');
    expect(outcome.messages).toEqual({ sent: 1, received: 0, lost: 1, reordered: 0, duplicates: 0 });
  });
});
