import type { Scenario } from '../core/scenario.js';

/**
 * Opens and holds 2,000 WebSockets to the echo through the proxy for 10 s, idle (`--trickle`: a
 * 16-byte message echoed and verified on each), and reports how many were established, why the
 * others failed, and the proxy's RSS per 1,000 held WebSockets — `many-connections` with the
 * upgrade after each tunnel, since a WebSocket is the long-lived connection a proxy holds most.
 * Through CONNECT by default, SOCKS5 when only a `socks5://` proxy is given (or `--via`).
 */
export const webSocketMany: Scenario = {
  name: 'websocket-many',
  description: 'Hold 2,000 idle WebSockets through CONNECT (SOCKS5 with a socks5:// proxy) for 10 s: established, failures by cause, proxy RSS per 1,000 (--connections, --hold, --trickle, --via)',
  // The trickle (--trickle): one 16-byte binary message on each held WebSocket, its echo verified.
  mix: [{ kind: 'ws-trickle-16b', weight: 1, protocol: 'connect', origin: 'http', operation: { op: 'websocket', messageBytes: 16, messages: 1, format: 'binary' } }],
  defaults: { durationMs: 10_000, warmupMs: 0, concurrency: 1 },
  hold: { connections: 2_000, protocol: 'connect', origin: 'http', held: 'websocket', holdMs: 10_000 },
  routes: ['connect', 'socks5', 'http-forward'],
};
