import type { Scenario } from '../core/scenario.js';

/**
 * Opens and holds 2,000 CONNECT tunnels through the HTTP proxy for 10 s, idle, and reports how many
 * were established, why the others failed, and the proxy's RSS per 1,000 held tunnels (issue #5).
 *
 * Why CONNECT: a held tunnel is what a proxy really keeps open by the thousand (browsers' HTTPS
 * and WebSocket connections), every HTTP proxy has it, and it costs the proxy both a client and an
 * origin socket — an idle forward connection holds only the client's.
 * Why to the HTTP origin: the proxy only relays bytes inside a tunnel, so TLS in it would cost the
 * proxy nothing more, while 2,000 TLS handshakes would take the harness's CPU on a shared machine.
 * SOCKS5: the same scenario with `hold.protocol: 'socks5'` in a scenario file.
 */
export const manyConnections: Scenario = {
  name: 'many-connections',
  description: 'Hold 2,000 idle CONNECT tunnels for 10 s: established, failures by cause, proxy RSS per 1,000 (--connections, --hold, --trickle)',
  // The trickle request (--trickle): GET 16 B on each held tunnel, verified like any body.
  mix: [{ kind: 'trickle-16b', weight: 1, protocol: 'connect', origin: 'http', operation: { op: 'download', bytes: 16 } }],
  defaults: { durationMs: 10_000, warmupMs: 0, concurrency: 1 },
  hold: { connections: 2_000, protocol: 'connect', origin: 'http', holdMs: 10_000 },
};
