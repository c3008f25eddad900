import { UsageError } from './errors.js';
import { formatProxyEndpoint, parseProxyUrl, type ProxyEndpoint } from './proxy-url.js';
import type { Protocol, Scenario } from './scenario.js';

/**
 * The proxies a run drives, one per kind, parsed and checked once at the edge (`--proxy`, the
 * typed API's `proxies`) and passed as this one value from there to the workers and the report.
 * Every "which proxy does this protocol go through" question is answered by {@link proxyFor}.
 */
export interface ProxySet {
  /** The HTTP proxy: absolute-form forward requests and CONNECT tunnels. */
  readonly http?: ProxyEndpoint & { readonly kind: 'http' };
  /** The SOCKS5 proxy (`socks5://` or `socks5h://`). */
  readonly socks5?: ProxyEndpoint & { readonly kind: 'socks5' };
}

/** A proxy's kind, as a {@link ProxySet} holds it. */
export type ProxyKind = ProxyEndpoint['kind'];

/** The kind of proxy a protocol goes through; undefined for `direct`. */
export function proxyKindFor(protocol: Protocol): ProxyKind | undefined {
  switch (protocol) {
    case 'http-forward':
    case 'connect':
      return 'http';
    case 'socks5':
      return 'socks5';
    case 'direct':
      return undefined;
  }
}

/** The proxy of `set` that `protocol` goes through; undefined for `direct` or when the set lacks it. */
export function proxyFor(set: ProxySet, protocol: Protocol): ProxyEndpoint | undefined {
  const kind = proxyKindFor(protocol);
  return kind === undefined ? undefined : set[kind];
}

/** The proxies of the set, HTTP first. */
export function proxiesOf(set: ProxySet): ProxyEndpoint[] {
  return [set.http, set.socks5].filter((p): p is NonNullable<typeof p> => p !== undefined);
}

/** The kinds of proxy a scenario's mix and hold phase go through. */
export function proxyKindsNeeded(scenario: Scenario): ReadonlySet<ProxyKind> {
  const protocols = [...scenario.mix.map((entry) => entry.protocol), ...(scenario.hold ? [scenario.hold.protocol] : [])];
  return new Set(protocols.map(proxyKindFor).filter((k): k is ProxyKind => k !== undefined));
}

/**
 * Parses `--proxy` URLs into a set. A second proxy of a kind already given is refused, never
 * dropped: spreading load over a pool of proxies is a feature of its own, not a silent choice.
 *
 * @throws UsageError naming `field`
 */
export function parseProxySet(field: string, urls: readonly string[]): ProxySet {
  let set: ProxySet = {};
  for (const url of urls) {
    const endpoint = parseProxyUrl(field, url);
    const taken = set[endpoint.kind];
    if (taken) {
      throw new UsageError(field, `takes one ${endpoint.kind === 'http' ? 'http://' : 'socks5://'} proxy (got ${formatProxyEndpoint(taken)} and ${formatProxyEndpoint(endpoint)}); a pool of proxies of one kind is not supported yet`);
    }
    set = endpoint.kind === 'http' ? { ...set, http: endpoint } : { ...set, socks5: endpoint };
  }
  return set;
}

/**
 * Checks that `set` has a proxy for every kind the scenario goes through: the one place this fit
 * is decided, before any work.
 *
 * @throws UsageError naming `field`, saying which URL to add
 */
export function checkProxySetFits(field: string, set: ProxySet, scenario: Scenario): void {
  const given = proxiesOf(set).map(formatProxyEndpoint).join(', ');
  for (const kind of proxyKindsNeeded(scenario)) {
    if (set[kind]) continue;
    const example = kind === 'http' ? 'an http:// proxy (forward/CONNECT)' : 'a socks5:// proxy';
    const add = kind === 'http' ? 'http://host:port' : 'socks5://host:port';
    throw new UsageError(field, `scenario '${scenario.name}' needs ${example} but was given only ${given}; add ${field} ${add}, or give no ${field} to use the embedded proxies`);
  }
}
