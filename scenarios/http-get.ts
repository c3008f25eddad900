import type { Scenario } from '../core/scenario.js';

/** GET 1 KiB through an HTTP forward proxy (absolute-URI requests, keep-alive). */
export const httpGet: Scenario = {
  name: 'http-get',
  description: 'GET 1 KiB through an HTTP forward proxy (absolute-URI, keep-alive)',
  mix: [{ kind: 'get-1k', weight: 1, protocol: 'http-forward', origin: 'http', operation: { op: 'download', bytes: 1024 } }],
  defaults: { durationMs: 10_000, warmupMs: 2_000, concurrency: 50 },
};
