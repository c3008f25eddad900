import type { Scenario } from '../core/scenario.js';
import { TCP_STREAMS_DEFAULTS, tcpStreamsMix } from './tcp-streams-mix.js';

/** Raw TCP streams through CONNECT tunnels (issue #12): see tcp-streams-mix.ts. */
export const connectTcp: Scenario = {
  name: 'connect-tcp',
  description: 'TCP streams through CONNECT: echo 100 × 64 B (message RTT) and 16 MiB each way at once (throughput), every byte verified',
  mix: tcpStreamsMix('connect'),
  defaults: TCP_STREAMS_DEFAULTS,
};
