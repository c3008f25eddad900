import type { Scenario } from '../core/scenario.js';

const MiB = 1024 * 1024;

/**
 * Raw TCP streams through SOCKS5 tunnels (issue #12): half the sessions echo 100 messages of 64 B
 * one at a time (message RTT, messages/s), half move 16 MiB each way at once through the TCP
 * source/sink (throughput, time to first byte); every byte verified, one tunnel per session.
 *
 * Concurrency 4: a bulk session keeps a core busy between the harness, the proxy and the target,
 * so four in flight fill a 2-core machine without swamping it; raise it (-c) on a bigger one.
 */
export const socks5Tcp: Scenario = {
  name: 'socks5-tcp',
  description: 'TCP streams through SOCKS5: echo 100 × 64 B (message RTT) and 16 MiB each way at once (throughput), every byte verified',
  mix: [
    { kind: 'tcp-echo-64b', weight: 1, protocol: 'socks5', origin: 'http', operation: { op: 'tcp-echo', messageBytes: 64, messages: 100 } },
    { kind: 'tcp-bulk-16m', weight: 1, protocol: 'socks5', origin: 'http', operation: { op: 'tcp-bulk', bytes: 16 * MiB, direction: 'both' } },
  ],
  defaults: { durationMs: 10_000, warmupMs: 1_000, concurrency: 4 },
};
