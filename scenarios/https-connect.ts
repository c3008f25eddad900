import type { Scenario } from '../core/scenario.js';

/** HTTPS GET 1 KiB through CONNECT tunnels (TLS inside the tunnel, tunnels reused). */
export const httpsConnect: Scenario = {
  name: 'https-connect',
  description: 'HTTPS GET 1 KiB through CONNECT tunnels (TLS inside, tunnels reused)',
  mix: [{ kind: 'https-get-1k', weight: 1, protocol: 'connect', origin: 'https', operation: { op: 'download', bytes: 1024 } }],
  defaults: { durationMs: 10_000, warmupMs: 2_000, concurrency: 50 },
};
