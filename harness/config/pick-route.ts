import { UsageError } from '../../core/errors.js';
import { poolOf, proxyKindFor, type ProxySet } from '../../core/proxy-set.js';
import type { Protocol, Scenario } from '../../core/scenario.js';

/**
 * The scenario as the run carries it out, for a scenario that can go more than one way
 * (`Scenario.routes`): every mix entry and the hold phase go through the protocol `via` names,
 * else through the first route the given proxies fit (the first route when none are given: the
 * embedded proxies have every kind). A scenario without routes is returned as it is. When no
 * route fits the given proxies the scenario is returned as it is too, and the proxy check that
 * follows says which proxy to add.
 *
 * @param given the proxies `--proxy` gave; empty when the run starts its own
 * @throws UsageError naming `--via` when it is not one of the scenario's routes
 */
export function pickRoute(scenario: Scenario, given: ProxySet, via: Protocol | undefined): Scenario {
  const routes = scenario.routes;
  if (!routes) {
    if (via !== undefined) throw new UsageError('--via', `applies only to scenarios that can go more than one way (such as websocket); '${scenario.name}' has fixed protocols`);
    return scenario;
  }
  if (via !== undefined && !routes.includes(via)) {
    throw new UsageError('--via', `scenario '${scenario.name}' goes through ${routes.join(', ')} (got '${via}')`);
  }
  const anyGiven = given.members.length > 0;
  const protocol = via ?? (anyGiven ? routes.find((route) => fits(route, given)) : routes[0]);
  if (protocol === undefined) return scenario;
  if (protocol === 'http-forward' && scenario.mix.some((entry) => entry.origin === 'https')) {
    throw new UsageError('--via', `scenario '${scenario.name}' reaches a TLS target, which an HTTP forward proxy cannot carry; use connect or socks5`);
  }
  return {
    ...scenario,
    mix: scenario.mix.map((entry) => ({ ...entry, protocol })),
    ...(scenario.hold ? { hold: { ...scenario.hold, protocol } } : {}),
  };
}

/** True when `set` has the proxy `protocol` goes through (direct needs none). */
function fits(protocol: Protocol, set: ProxySet): boolean {
  const kind = proxyKindFor(protocol);
  return kind === undefined || poolOf(set, kind).length > 0;
}
