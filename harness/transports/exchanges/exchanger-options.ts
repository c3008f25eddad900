import type { ProxyEndpoint } from '../../../core/proxy-url.js';
import type { PhaseTimeouts } from '../../../core/request.js';
import type { Protocol } from '../../../core/scenario.js';

/** How an exchanger is set up for one run (one per protocol): the route every exchange of it takes. */
export interface ExchangerOptions {
  readonly protocol: Protocol;
  /** The proxy to go through; absent only for `direct`. */
  readonly proxy?: ProxyEndpoint;
  readonly timeouts: PhaseTimeouts;
  /** PEM of the CA that signed the `wss://` target's certificate (the mock targets' own). */
  readonly targetCaPem?: string;
}
