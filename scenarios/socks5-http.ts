import type { Scenario } from '../core/scenario.js';

/** GET 1 KiB through a SOCKS5 proxy (tunnels kept alive and reused). */
export const socks5Http: Scenario = {
  name: 'socks5-http',
  description: 'GET 1 KiB through a SOCKS5 proxy (tunnels reused)',
  mix: [{ kind: 'get-1k', weight: 1, protocol: 'socks5', origin: 'http', operation: { op: 'download', bytes: 1024 } }],
  defaults: { durationMs: 10_000, warmupMs: 2_000, concurrency: 50 },
};
