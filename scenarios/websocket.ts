import type { Scenario } from '../core/scenario.js';

/**
 * WebSocket echo through the proxy: each session opens a WebSocket (TCP, proxy handshake, the
 * upgrade; `ttfb` is the answer to the upgrade), echoes 100 binary messages of 1 KiB one at a time,
 * each verified byte for byte, and closes. 50 sessions in flight.
 *
 * Through CONNECT by default (a tunnel is how browsers reach a WebSocket through a proxy); through
 * SOCKS5 when only a `socks5://` proxy is given (or `--via socks5`); `--via http-forward` sends the
 * upgrade to the proxy as an absolute-form GET, which many proxies refuse (`proxy_refused`).
 */
export const webSocket: Scenario = {
  name: 'websocket',
  description: 'WebSocket echo, 100 × 1 KiB binary messages per connection, through CONNECT (SOCKS5 with a socks5:// proxy; --via)',
  mix: [{ kind: 'ws-echo-1k', weight: 1, protocol: 'connect', origin: 'http', operation: { op: 'websocket', messageBytes: 1024, messages: 100, format: 'binary' } }],
  defaults: { durationMs: 10_000, warmupMs: 2_000, concurrency: 50 },
  routes: ['connect', 'socks5', 'http-forward'],
};
