import type { Protocol, RequestMixEntry } from '../core/scenario.js';

const MiB = 1024 * 1024;

/**
 * The mix of `connect-tcp` and `socks5-tcp` (issue #12), through `protocol`: half the sessions echo
 * 100 messages of 64 B one at a time (message RTT, messages/s), half move 16 MiB each way at once
 * through the TCP source/sink (throughput, time to first byte); every byte verified, one tunnel
 * per session. The kind names are the same through either proxy, so their reports compare.
 */
export function tcpStreamsMix(protocol: Protocol): readonly RequestMixEntry[] {
  return [
    { kind: 'tcp-echo-64b', weight: 1, protocol, origin: 'http', operation: { op: 'tcp-echo', messageBytes: 64, messages: 100 } },
    { kind: 'tcp-bulk-16m', weight: 1, protocol, origin: 'http', operation: { op: 'tcp-bulk', bytes: 16 * MiB, direction: 'both' } },
  ];
}

/**
 * Concurrency 4: a bulk session keeps a core busy between the harness, the proxy and the target,
 * so four in flight fill a 2-core machine without swamping it; raise it (-c) on a bigger one.
 */
export const TCP_STREAMS_DEFAULTS = { durationMs: 10_000, warmupMs: 1_000, concurrency: 4 } as const;
