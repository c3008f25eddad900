import type { Scenario } from '../core/scenario.js';

/**
 * The mix a forward proxy meets in practice: mostly small GETs, some larger bodies, uploads, and
 * HTTPS through CONNECT tunnels.
 */
export const httpMixed: Scenario = {
  name: 'http-mixed',
  description: 'HTTP proxy mix: 60% GET 1 KiB, 15% GET 64 KiB, 10% POST 16 KiB, 15% HTTPS GET 1 KiB via CONNECT',
  mix: [
    { kind: 'get-1k', weight: 60, protocol: 'http-forward', origin: 'http', operation: { op: 'download', bytes: 1024 } },
    { kind: 'get-64k', weight: 15, protocol: 'http-forward', origin: 'http', operation: { op: 'download', bytes: 64 * 1024 } },
    { kind: 'post-16k', weight: 10, protocol: 'http-forward', origin: 'http', operation: { op: 'upload', bytes: 16 * 1024 } },
    { kind: 'https-get-1k', weight: 15, protocol: 'connect', origin: 'https', operation: { op: 'download', bytes: 1024 } },
  ],
  defaults: { durationMs: 10_000, warmupMs: 2_000, concurrency: 50 },
};
