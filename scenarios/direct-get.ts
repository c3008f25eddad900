import type { Scenario } from '../core/scenario.js';

/** GET 1 KiB straight to the origin: the harness's own ceiling, no proxy involved. */
export const directGet: Scenario = {
  name: 'direct-get',
  description: 'GET 1 KiB straight to the origin, no proxy (the harness ceiling)',
  mix: [{ kind: 'get-1k', weight: 1, protocol: 'direct', origin: 'http', operation: { op: 'download', bytes: 1024 } }],
  defaults: { durationMs: 10_000, warmupMs: 2_000, concurrency: 50 },
};
