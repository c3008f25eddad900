import type { Scenario } from '../core/scenario.js';

/**
 * A new connection (and tunnel) for every request: the proxy's setup cost, reported as setup-phase
 * percentiles and connections per second (issue #5).
 *
 * Two kinds, both through one http:// proxy so the scenario runs against any HTTP proxy alone: a
 * forward GET (TCP accept and one request: the cheapest connection a proxy takes) and a CONNECT
 * tunnel with TLS inside (TCP, CONNECT, an upstream connect and a TLS handshake: the costliest).
 * SOCKS5 churn is `socks5-http --new-connection-per-request`.
 */
export const connectionChurn: Scenario = {
  name: 'connection-churn',
  description: 'A new connection per request: HTTP forward GET 1 KiB and CONNECT HTTPS GET 1 KiB, setup phases and connections/s',
  mix: [
    { kind: 'http-get-1k', weight: 1, protocol: 'http-forward', origin: 'http', operation: { op: 'download', bytes: 1024 } },
    { kind: 'connect-get-1k', weight: 1, protocol: 'connect', origin: 'https', operation: { op: 'download', bytes: 1024 } },
  ],
  defaults: { durationMs: 10_000, warmupMs: 2_000, concurrency: 50, connectionPolicy: 'new-per-request' },
};
