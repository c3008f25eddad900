import type { Scenario } from '../core/scenario.js';
import { TCP_STREAMS_DEFAULTS, tcpStreamsMix } from './tcp-streams-mix.js';

/** Raw TCP streams through SOCKS5 tunnels (issue #12): see tcp-streams-mix.ts. */
export const socks5Tcp: Scenario = {
  name: 'socks5-tcp',
  description: 'TCP streams through SOCKS5: echo 100 × 64 B (message RTT) and 16 MiB each way at once (throughput), every byte verified',
  mix: tcpStreamsMix('socks5'),
  defaults: TCP_STREAMS_DEFAULTS,
};
