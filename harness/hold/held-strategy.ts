import type { RequestOutcome } from '../../core/request.js';
import { HeldConnection } from './held-connection.js';
import type { TrickleRequest } from './trickle-response.js';
import { tunnelOpenerFor, type SetupTimings, type TunnelRoute } from '../transports/index.js';

/** One held connection as the hold engine sees it, whatever it holds. */
export interface Held {
  /** False once it has ended, whoever ended it. */
  readonly isOpen: boolean;
  /** One trickle exchange on it (a tiny GET, or a message echoed); never rejects: failures are outcomes. */
  trickle(): Promise<RequestOutcome>;
  /** Ends it at the end of the hold (not counted as ended early). */
  close(): void;
}

/** One held connection, just opened, and its setup phases. */
export interface OpenedHeld {
  readonly held: Held;
  readonly timings: SetupTimings;
}

/**
 * How one kind of held connection is opened (hold-connections.ts does the rest: how many, how
 * fast, the hold, the trickle's pace, the tally). Opening rejects with a classified
 * TransportFailure; `onEndedEarly` is called once if the connection ends before `close()`.
 */
export interface HeldStrategy {
  open(onEndedEarly: () => void): Promise<OpenedHeld>;
}

/** Bare tunnels (or connections to the proxy, in forward mode), trickled with `request`, a GET. */
export function heldTunnels(route: TunnelRoute, request: TrickleRequest): HeldStrategy {
  const openTunnel = tunnelOpenerFor(route);
  return {
    async open(onEndedEarly) {
      const { socket, timings } = await openTunnel();
      return { held: new HeldConnection(socket, onEndedEarly, request, route.timeouts), timings };
    },
  };
}
