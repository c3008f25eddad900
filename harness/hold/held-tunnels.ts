import { HeldConnection } from './held-connection.js';
import type { HeldStrategy } from './held-strategy.js';
import type { TrickleRequest } from './trickle-response.js';
import { tunnelOpenerFor, type TunnelRoute } from '../transports/index.js';

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
