import { connect, createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreparedExchange } from '../../core/exchange.js';
import type { ProxyEndpoint } from '../../core/proxy-url.js';
import type { PhaseTimeouts, RequestOutcome } from '../../core/request.js';
import type { Protocol, WebSocketFormat } from '../../core/scenario.js';
import { createExchanger, webSocketMessage } from '../../harness/transports/index.js';
import { startWebSocketEcho, type RunningWebSocketEcho } from '../../mock-targets/origins/websocket-echo.js';
import { Allowlist } from '../../mock-targets/proxies/allowlist.js';
import { startHttpProxy, type RunningProxyServer } from '../../mock-targets/proxies/http-proxy.js';
import { startSocks5Proxy } from '../../mock-targets/proxies/socks5-proxy.js';
import { startFaultyWebSocketEcho, type FaultyWebSocketEcho, type WebSocketFault } from '../fixtures/faulty-websocket-echo.js';

// The `websocket` exchange on real sockets: the mock echo (ws and wss) and faulty echoes, reached
// through the reference CONNECT, forward and SOCKS5 proxies, or directly. The report keeps only
// causes, so the details the exchange writes are checked here.

const TIMEOUTS: PhaseTimeouts = { connectMs: 2000, handshakeMs: 2000, ttfbMs: 2000, idleMs: 2000, totalMs: 10_000 };
const FAULTS = {
  corrupt: { kind: 'corrupt', at: 3 },
  close: { kind: 'close', at: 2 },
  reset: { kind: 'reset', at: 2 },
  silent: { kind: 'silent', at: 2 },
  refuse: { kind: 'refuse', status: 403 },
} as const satisfies Record<string, WebSocketFault>;

let ws: RunningWebSocketEcho;
let wss: RunningWebSocketEcho;
const faulty = new Map<keyof typeof FAULTS, FaultyWebSocketEcho>();
let httpProxy: RunningProxyServer;
let authProxy: RunningProxyServer;
let socksProxy: RunningProxyServer;

beforeAll(async () => {
  ws = await startWebSocketEcho();
  wss = await startWebSocketEcho({ tls: true });
  for (const [name, fault] of Object.entries(FAULTS)) faulty.set(name as keyof typeof FAULTS, await startFaultyWebSocketEcho(fault));
  const allow = new Allowlist([ws, wss, ...faulty.values()].map(({ port }) => ({ host: '127.0.0.1', port })));
  httpProxy = await startHttpProxy({ allow });
  authProxy = await startHttpProxy({ allow, auth: { username: 'u', password: 'p' } });
  socksProxy = await startSocks5Proxy({ allow });
});
afterAll(async () => {
  await Promise.all([httpProxy, authProxy, socksProxy, ws, wss, ...faulty.values()].map((s) => s?.close()));
});

const httpEndpoint = (server: RunningProxyServer): ProxyEndpoint => ({ kind: 'http', host: '127.0.0.1', port: server.port });
const PROXIES: Record<Protocol, () => ProxyEndpoint | undefined> = {
  connect: () => httpEndpoint(httpProxy),
  'http-forward': () => httpEndpoint(httpProxy),
  socks5: () => ({ kind: 'socks5', host: '127.0.0.1', port: socksProxy.port, resolveAtProxy: false }),
  direct: () => undefined,
};

interface Session {
  readonly outcome: RequestOutcome;
  readonly rtts: number[];
}

/** Runs one `websocket` exchange of `messages` × `messageBytes` and returns its outcome and the round trips reported. */
async function exchangeOnce(options: {
  protocol: Protocol;
  port: number;
  tls?: boolean;
  format?: WebSocketFormat;
  messages?: number;
  messageBytes?: number;
  proxy?: ProxyEndpoint;
  timeouts?: Partial<PhaseTimeouts>;
}): Promise<Session> {
  const proxy = options.proxy ?? PROXIES[options.protocol]();
  const exchanger = createExchanger({
    protocol: options.protocol,
    ...(proxy ? { proxy } : {}),
    timeouts: { ...TIMEOUTS, ...options.timeouts },
    ...(options.tls ? { targetCaPem: wss.caPem! } : {}),
  });
  const exchange: PreparedExchange = {
    kind: 'ws',
    op: 'websocket',
    target: { host: '127.0.0.1', port: options.port },
    seed: 77,
    tls: options.tls ?? false,
    messageBytes: options.messageBytes ?? 1000,
    messages: options.messages ?? 5,
    format: options.format ?? 'binary',
  };
  const rtts: number[] = [];
  try {
    return { outcome: await exchanger.execute(exchange, (us) => rtts.push(us)), rtts };
  } finally {
    await exchanger.close();
  }
}

describe('websocket exchange: every message echoed and verified', () => {
  for (const protocol of ['connect', 'socks5', 'direct'] as const) {
    for (const format of ['binary', 'text'] as const) {
      it(`${protocol}, ${format}: 101, all messages back, one round trip each, payload bytes counted`, async () => {
        const { outcome, rtts } = await exchangeOnce({ protocol, port: ws.port, format, messages: 8, messageBytes: 1500 });
        expect(outcome.cause).toBeUndefined();
        expect(outcome.ok).toBe(true);
        expect(outcome.statusCode).toBe(101);
        expect(outcome.messages).toEqual({ sent: 8, received: 8, lost: 0, reordered: 0, duplicates: 0 });
        expect(rtts).toHaveLength(8);
        expect(outcome.bytesOut).toBe(8 * 1500);
        expect(outcome.bytesIn).toBe(8 * 1500);
        expect(outcome.ttfbUs).toBeGreaterThanOrEqual(0);
        expect(outcome.connectUs).toBeGreaterThanOrEqual(0);
        expect(outcome.proxyHandshakeUs >= 0).toBe(protocol !== 'direct');
        expect(outcome.tlsUs).toBe(-1);
      });
    }
  }

  it('wss:// through CONNECT: TLS inside the tunnel (test CA), then the upgrade', async () => {
    const { outcome, rtts } = await exchangeOnce({ protocol: 'connect', port: wss.port, tls: true, format: 'text' });
    expect(outcome.ok).toBe(true);
    expect(outcome.tlsUs).toBeGreaterThanOrEqual(0);
    expect(outcome.messages?.received).toBe(5);
    expect(rtts).toHaveLength(5);
  });

  it('wss:// without the test CA trusted fails as tls', async () => {
    const exchanger = createExchanger({ protocol: 'direct', timeouts: TIMEOUTS });
    const outcome = await exchanger.execute(
      { kind: 'ws', op: 'websocket', target: { host: '127.0.0.1', port: wss.port }, seed: 1, tls: true, messageBytes: 10, messages: 1, format: 'binary' },
      () => undefined,
    );
    await exchanger.close();
    expect(outcome.cause).toBe('tls');
  });

  it('text messages are printable ASCII made from the stream; binary ones are the stream bytes', () => {
    const text = webSocketMessage(9, 'text', 2, 4096);
    expect([...text].every((b) => b >= 0x20 && b <= 0x7e)).toBe(true);
    expect(webSocketMessage(9, 'text', 2, 4096)).toEqual(text);
    expect(webSocketMessage(9, 'text', 3, 4096)).not.toEqual(text);
    expect(webSocketMessage(9, 'binary', 1, 100)).toEqual(webSocketMessage(9, 'binary', 0, 200).subarray(100));
  });
});

describe('websocket exchange: what goes wrong is classified', () => {
  it('an upgrade nobody answers is timeout_ttfb; one cut short by the end of the run is other', async () => {
    const sockets = new Set<Socket>();
    let requestsSeen = 0;
    const mute = createServer((socket) => {
      sockets.add(socket.on('error', () => undefined));
      socket.once('data', () => requestsSeen++);
    });
    await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
    const port = (mute.address() as { port: number }).port;
    try {
      const timedOut = await exchangeOnce({ protocol: 'direct', port, timeouts: { ttfbMs: 200 } });
      expect(timedOut.outcome.cause).toBe('timeout_ttfb');
      expect(timedOut.outcome.detail).toBe('no answer to the WebSocket upgrade within 200 ms');
      const exchanger = createExchanger({ protocol: 'direct', timeouts: TIMEOUTS });
      const pending = exchanger.execute(
        { kind: 'ws', op: 'websocket', target: { host: '127.0.0.1', port }, seed: 1, tls: false, messageBytes: 10, messages: 1, format: 'binary' },
        () => undefined,
      );
      // Close once the GET has reached the mute server: the exchange is then waiting for the answer.
      while (requestsSeen < 2) await new Promise((resolve) => setTimeout(resolve, 10));
      await exchanger.close();
      const ended = await pending;
      expect(ended.cause).toBe('other');
      expect(ended.detail).toBe('the run ended while the exchange was open');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => mute.close(() => resolve()));
    }
  });

  const port = (name: keyof typeof FAULTS): number => faulty.get(name)!.port;

  it('an echo with a wrong byte is integrity, naming the message; the messages before it counted', async () => {
    for (const format of ['binary', 'text'] as const) {
      const { outcome, rtts } = await exchangeOnce({ protocol: 'connect', port: port('corrupt'), format });
      expect(outcome.cause).toBe('integrity');
      expect(outcome.detail).toBe('the echo of message 3 differs from what was sent at byte 500');
      expect(outcome.messages).toEqual({ sent: 3, received: 2, lost: 1, reordered: 0, duplicates: 0 });
      expect(rtts).toHaveLength(2);
    }
  });

  it('a close frame before the echo is reset', async () => {
    const { outcome } = await exchangeOnce({ protocol: 'socks5', port: port('close') });
    expect(outcome.cause).toBe('reset');
    expect(outcome.detail).toBe('the WebSocket was closed (code 1011) before the echo of message 2 of 5 arrived');
    expect(outcome.messages).toEqual({ sent: 2, received: 1, lost: 1, reordered: 0, duplicates: 0 });
  });

  it('a connection dropped before the echo is reset', async () => {
    const { outcome } = await exchangeOnce({ protocol: 'connect', port: port('reset') });
    expect(outcome.cause).toBe('reset');
    expect(outcome.messages?.received).toBe(1);
  });

  it('no echo within the idle limit is timeout_idle', async () => {
    const { outcome } = await exchangeOnce({ protocol: 'connect', port: port('silent'), timeouts: { idleMs: 300 } });
    expect(outcome.cause).toBe('timeout_idle');
    expect(outcome.detail).toBe('no message for 300 ms while waiting for the echo of message 2 of 5');
    expect(outcome.messages).toEqual({ sent: 2, received: 1, lost: 1, reordered: 0, duplicates: 0 });
  });

  it("through a tunnel, a refused upgrade is the target's status (http_status)", async () => {
    const { outcome } = await exchangeOnce({ protocol: 'connect', port: port('refuse') });
    expect(outcome.cause).toBe('http_status');
    expect(outcome.statusCode).toBe(403);
    expect(outcome.detail).toBe('the target answered 403 to the WebSocket upgrade');
    expect(outcome.ttfbUs).toBeGreaterThanOrEqual(0);
    expect(outcome.messages?.sent).toBe(0);
  });

  it('an HTTP forward proxy that drops the Upgrade (the reference proxy) is proxy_refused, its answer in the detail', async () => {
    const { outcome } = await exchangeOnce({ protocol: 'http-forward', port: ws.port });
    expect(outcome.cause).toBe('proxy_refused');
    // The reference proxy forwards the GET without the hop-by-hop Upgrade; the echo then answers 426.
    expect(outcome.detail).toBe('the proxy does not forward WebSocket upgrades: answered 426');
    expect(outcome.statusCode).toBe(426);
  });

  it('a forward proxy wanting credentials is proxy_auth; the upgrade sent with them gets past it', async () => {
    const without = await exchangeOnce({ protocol: 'http-forward', port: ws.port, proxy: httpEndpoint(authProxy) });
    expect(without.outcome.cause).toBe('proxy_auth');
    const withAuth = await exchangeOnce({ protocol: 'http-forward', port: ws.port, proxy: { ...httpEndpoint(authProxy), auth: { username: 'u', password: 'p' } } });
    // Past the 407, the reference proxy still does not forward the upgrade.
    expect(withAuth.outcome.cause).toBe('proxy_refused');
  });
});

/**
 * A forward proxy that does relay WebSocket upgrades, as some do: it reads the request head, keeps
 * it for the test to see, rewrites the absolute-form target to origin-form, and then splices the
 * client to the target it named.
 */
async function startUpgradeRelay(): Promise<{ port: number; heads: string[]; close(): Promise<void> }> {
  const heads: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.on('error', () => client.destroy());
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      client.off('data', onData);
      const text = head.toString('latin1', 0, end + 4);
      heads.push(text);
      const match = /^GET http:\/\/127\.0\.0\.1:(\d+)(\/\S*) HTTP\/1\.1\r\n/.exec(text)!;
      const upstream = connect(Number(match[1]), '127.0.0.1', () => {
        upstream.write(text.replace(match[0], `GET ${match[2]} HTTP/1.1\r\n`));
        upstream.write(head.subarray(end + 4));
        client.pipe(upstream).pipe(client);
      });
      sockets.add(upstream);
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
    };
    client.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    heads,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

describe('websocket exchange through a forward proxy that relays upgrades', () => {
  it('sends an absolute-form GET with Upgrade and Proxy-Authorization, then echoes every message', async () => {
    const relay = await startUpgradeRelay();
    try {
      const proxy: ProxyEndpoint = { kind: 'http', host: '127.0.0.1', port: relay.port, auth: { username: 'u', password: 'p' } };
      const { outcome, rtts } = await exchangeOnce({ protocol: 'http-forward', port: ws.port, proxy, format: 'text' });
      expect(outcome.cause).toBeUndefined();
      expect(outcome.messages).toEqual({ sent: 5, received: 5, lost: 0, reordered: 0, duplicates: 0 });
      expect(rtts).toHaveLength(5);
      expect(outcome.proxyHandshakeUs).toBe(-1);
      const head = relay.heads[0]!;
      expect(head.startsWith(`GET http://127.0.0.1:${ws.port}/echo HTTP/1.1\r\n`)).toBe(true);
      expect(head).toMatch(/\r\nUpgrade: websocket\r\n/i);
      expect(head).toContain(`\r\nProxy-Authorization: Basic ${Buffer.from('u:p').toString('base64')}\r\n`);
    } finally {
      await relay.close();
    }
  });
});
