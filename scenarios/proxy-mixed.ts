import type { Scenario } from '../core/scenario.js';

/** An HTTP+SOCKS5 agent's load: both protocols in one run, reported per protocol. */
export const proxyMixed: Scenario = {
  name: 'proxy-mixed',
  description: 'HTTP forward, CONNECT and SOCKS5 in one run, reported per protocol',
  mix: [
    { kind: 'http-get-1k', weight: 40, protocol: 'http-forward', origin: 'http', operation: { op: 'download', bytes: 1024 } },
    { kind: 'connect-get-1k', weight: 20, protocol: 'connect', origin: 'https', operation: { op: 'download', bytes: 1024 } },
    { kind: 'socks5-get-1k', weight: 30, protocol: 'socks5', origin: 'http', operation: { op: 'download', bytes: 1024 } },
    { kind: 'socks5-get-64k', weight: 10, protocol: 'socks5', origin: 'http', operation: { op: 'download', bytes: 64 * 1024 } },
  ],
  defaults: { durationMs: 10_000, warmupMs: 2_000, concurrency: 50 },
};
