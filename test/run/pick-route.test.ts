import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.js';
import { parseProxySet } from '../../core/proxy-set.js';
import type { Scenario } from '../../core/scenario.js';
import { pickRoute } from '../../harness/config/pick-route.js';
import { webSocket } from '../../scenarios/websocket.js';
import { webSocketMany } from '../../scenarios/websocket-many.js';
import { httpGet } from '../../scenarios/http-get.js';

// Which way a scenario with routes goes: --via, else the first route the given proxies fit.
const proxies = (...urls: string[]) => parseProxySet('--proxy', urls);
const protocols = (s: Scenario) => [...s.mix.map((e) => e.protocol), ...(s.hold ? [s.hold.protocol] : [])];

describe('pickRoute', () => {
  it('takes the first route with the embedded proxies (none given)', () => {
    expect(protocols(pickRoute(webSocket, proxies(), undefined))).toEqual(['connect']);
  });

  it('takes the first route the given proxies fit: SOCKS5 alone picks socks5, both pick connect', () => {
    expect(protocols(pickRoute(webSocket, proxies('socks5://127.0.0.1:1080'), undefined))).toEqual(['socks5']);
    expect(protocols(pickRoute(webSocket, proxies('socks5://127.0.0.1:1080', 'http://127.0.0.1:3128'), undefined))).toEqual(['connect']);
  });

  it('--via sets the mix and the hold alike', () => {
    expect(protocols(pickRoute(webSocketMany, proxies(), 'socks5'))).toEqual(['socks5', 'socks5']);
    expect(protocols(pickRoute(webSocketMany, proxies('http://127.0.0.1:3128'), 'http-forward'))).toEqual(['http-forward', 'http-forward']);
  });

  it('leaves a scenario without routes as it is, and refuses --via for it', () => {
    expect(pickRoute(httpGet, proxies('socks5://127.0.0.1:1080'), undefined)).toBe(httpGet);
    expect(() => pickRoute(httpGet, proxies(), 'socks5')).toThrow(UsageError);
  });

  it('refuses a route the scenario does not have, and forward mode for a TLS target', () => {
    expect(() => pickRoute(webSocket, proxies(), 'direct')).toThrow("scenario 'websocket' goes through connect, socks5, http-forward (got 'direct')");
    const wss: Scenario = { ...webSocket, mix: webSocket.mix.map((e) => ({ ...e, origin: 'https' as const })) };
    expect(() => pickRoute(wss, proxies(), 'http-forward')).toThrow('an HTTP forward proxy cannot carry');
  });
});
