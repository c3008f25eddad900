import type { ProxyEndpoint } from '../../core/proxy-url.js';
import type { OriginAddress, PhaseTimeouts, PreparedRequest, RequestOutcome } from '../../core/request.js';
import type { ConnectionPolicy, Protocol } from '../../core/scenario.js';

/**
 * The seam between the executor and the network: a Transport sends one request through one kind of
 * proxy and says what happened, with its phase timings. It never sees the load model. Adding a
 * protocol means one new file that implements this interface, plus its test (docs/architecture.md).
 */

/** How a transport is set up for one run (one per protocol and origin). */
export interface TransportOptions {
  readonly protocol: Protocol;
  /** The proxy to go through; absent only for `direct`. */
  readonly proxy?: ProxyEndpoint;
  readonly origin: OriginAddress;
  /** Most connections (or tunnels) this transport keeps open at once. */
  readonly maxConnections: number;
  readonly connectionPolicy: ConnectionPolicy;
  readonly timeouts: PhaseTimeouts;
  /** PEM of the CA that signed the HTTPS origin's certificate (the mock origin's own). */
  readonly originCaPem?: string;
  /**
   * A user's own https target (`--target-ca`): PEM of CAs trusted beside the system's. Its
   * certificate is checked against the target's name, which is also its SNI.
   */
  readonly originExtraCaPem?: string;
}

/** One request through one kind of proxy. */
export interface Transport {
  readonly protocol: Protocol;
  /** Sends `request` and resolves with its outcome; never rejects (failures are outcomes). */
  execute(request: PreparedRequest): Promise<RequestOutcome>;
  /** Closes every connection; pending requests fail. */
  close(): Promise<void>;
}
