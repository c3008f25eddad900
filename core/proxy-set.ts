import { UsageError } from './errors.js';
import { DEFAULT_PROXY_PICK, type ProxyPick } from './proxy-pick.js';
import { formatProxyEndpoint, parseProxyUrl, redactProxyUrl, type ProxyEndpoint } from './proxy-url.js';
import type { Protocol, Scenario } from './scenario.js';

/** One proxy of a run: where it listens, and its share under `--proxy-pick weighted`. */
export interface PoolMember {
  readonly endpoint: ProxyEndpoint;
  /** Relative share (whole number ≥ 1; `#weight=N`, default 1); only `weighted` reads it. */
  readonly weight: number;
}

/**
 * The proxies a run drives, parsed and checked once at the edge (`--proxy`, `--proxy-file`,
 * `--proxy env`, the typed API's `proxies`) and passed as this one value from there to the workers
 * and the report. The members of one kind form that kind's pool; a request of a protocol goes
 * through one member of its kind's pool, chosen per request by `pick`.
 */
export interface ProxySet {
  /**
   * Every proxy, in the order given. A member's position here is its index in the report's
   * `config.proxies` and in a threshold's `proxy[i]` prefix.
   */
  readonly members: readonly PoolMember[];
  readonly pick: ProxyPick;
}

/** A run that goes through no proxy (or whose proxies are not known yet: the embedded ones). */
export const NO_PROXIES: ProxySet = { members: [], pick: DEFAULT_PROXY_PICK };

/** A proxy's kind, as a {@link ProxySet} holds it. */
export type ProxyKind = ProxyEndpoint['kind'];

/** A member of one kind's pool with its position in {@link ProxySet.members}. */
export interface IndexedMember {
  readonly member: PoolMember;
  /** Position in the set's `members` (the report's proxy index). */
  readonly index: number;
}

/** A set of `endpoints`, each of weight 1, in that order. */
export function proxySetOf(endpoints: readonly ProxyEndpoint[], pick: ProxyPick = DEFAULT_PROXY_PICK): ProxySet {
  return { members: endpoints.map((endpoint) => ({ endpoint, weight: 1 })), pick };
}

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

/** The pool of `kind`: its members in the order given, with their positions in the set. */
export function poolOf(set: ProxySet, kind: ProxyKind): IndexedMember[] {
  return set.members.flatMap((member, index) => (member.endpoint.kind === kind ? [{ member, index }] : []));
}

/**
 * The first proxy of the pool that `protocol` goes through; undefined for `direct` or when the set
 * has none of its kind. For callers that need one proxy of a kind rather than the pool.
 */
export function proxyFor(set: ProxySet, protocol: Protocol): ProxyEndpoint | undefined {
  const kind = proxyKindFor(protocol);
  return kind === undefined ? undefined : poolOf(set, kind)[0]?.member.endpoint;
}

/** Every proxy of the set, in the order given. */
export function proxiesOf(set: ProxySet): ProxyEndpoint[] {
  return set.members.map((m) => m.endpoint);
}

/** The kinds of proxy a scenario's mix and hold phase go through. */
export function proxyKindsNeeded(scenario: Scenario): ReadonlySet<ProxyKind> {
  const protocols = [...scenario.mix.map((entry) => entry.protocol), ...(scenario.hold ? [scenario.hold.protocol] : [])];
  return new Set(protocols.map(proxyKindFor).filter((k): k is ProxyKind => k !== undefined));
}

/** One proxy URL as given, with the field that names it in errors (`--proxy`, `--proxy-file f line 3`). */
export interface ProxyInput {
  readonly field: string;
  /** A curl-style URL, optionally ending in `#weight=N`. */
  readonly url: string;
  /** A weight given apart from the URL (the typed API's `{ url, weight }`). */
  readonly weight?: number;
}

/** Largest weight accepted: shares beyond a million to one say nothing a benchmark can show. */
const MAX_WEIGHT = 1_000_000;

/**
 * Parses proxy URLs into a set. A weight is written as the URL's fragment, `http://h:3128#weight=3`:
 * a fragment is never part of a proxy URL, so it cannot be confused with credentials or a port,
 * whatever the password holds. Refused, each with a one-line error naming the field: a malformed
 * URL or weight; a weight without `pick` `weighted` (it would be ignored); the same proxy twice; two
 * proxies that differ only in their password (the report, which hides passwords, could not tell
 * them apart).
 *
 * @param pickField the flag that sets `pick`, named when a weight does not fit it
 * @throws UsageError
 */
export function parseProxyInputs(inputs: readonly ProxyInput[], pick: ProxyPick = DEFAULT_PROXY_PICK, pickField = '--proxy-pick'): ProxySet {
  const members: PoolMember[] = [];
  const byKey = new Map<string, { endpoint: ProxyEndpoint; field: string }>();
  for (const input of inputs) {
    const { url, weight: fragmentWeight } = splitWeight(input.field, input.url);
    if (fragmentWeight !== undefined && input.weight !== undefined) {
      throw new UsageError(input.field, `'${redactProxyUrl(input.url)}' gives its weight twice (#weight and weight); give it once`);
    }
    const weight = input.weight === undefined ? fragmentWeight : checkedWeight(input.field, String(input.weight));
    if (weight !== undefined && pick !== 'weighted') {
      throw new UsageError(pickField, `'${redactProxyUrl(input.url)}' has a weight, which only --proxy-pick weighted uses (the pick is ${pick}); add --proxy-pick weighted, or drop the weight`);
    }
    const endpoint = parseProxyUrl(input.field, url);
    const key = formatProxyEndpoint(endpoint);
    const seen = byKey.get(key);
    if (seen) {
      const why = sameEndpoint(seen.endpoint, endpoint)
        ? `lists ${key} twice (also in ${seen.field}); give it once${pick === 'weighted' ? ' with a larger #weight' : ''}`
        : `${key} is given twice with different passwords (also in ${seen.field}); the report hides passwords and could not tell them apart`;
      throw new UsageError(input.field, why);
    }
    byKey.set(key, { endpoint, field: input.field });
    members.push({ endpoint, weight: weight ?? 1 });
  }
  return { members, pick };
}

/**
 * Parses `--proxy` URLs into a set (see {@link parseProxyInputs}).
 *
 * @throws UsageError naming `field`
 */
export function parseProxySet(field: string, urls: readonly string[], pick: ProxyPick = DEFAULT_PROXY_PICK): ProxySet {
  return parseProxyInputs(urls.map((url) => ({ field, url })), pick);
}

/** `url` without its `#weight=N` fragment, and the weight. */
function splitWeight(field: string, text: string): { url: string; weight?: number } {
  const hash = text.indexOf('#');
  if (hash < 0) return { url: text };
  const fragment = text.slice(hash + 1).trim();
  const match = /^weight=(.*)$/.exec(fragment);
  if (!match) {
    throw new UsageError(field, `'${redactProxyUrl(text)}': the only suffix a proxy URL takes is #weight=N (a whole number ≥ 1), e.g. http://127.0.0.1:3128#weight=3`);
  }
  return { url: text.slice(0, hash), weight: checkedWeight(field, match[1]!, text) };
}

function checkedWeight(field: string, value: string, url?: string): number {
  const weight = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isSafeInteger(weight) || weight < 1 || weight > MAX_WEIGHT) {
    const of = url === undefined ? '' : ` of '${redactProxyUrl(url)}'`;
    throw new UsageError(field, `the weight${of} must be a whole number from 1 to ${MAX_WEIGHT} (got '${value}')`);
  }
  return weight;
}

function sameEndpoint(a: ProxyEndpoint, b: ProxyEndpoint): boolean {
  return a.auth?.username === b.auth?.username && a.auth?.password === b.auth?.password && formatProxyEndpoint(a) === formatProxyEndpoint(b);
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
    if (poolOf(set, kind).length > 0) continue;
    const example = kind === 'http' ? 'an http:// proxy (forward/CONNECT)' : 'a socks5:// proxy';
    const add = kind === 'http' ? 'http://host:port' : 'socks5://host:port';
    throw new UsageError(field, `scenario '${scenario.name}' needs ${example} but was given only ${given}; add ${field} ${add}, or give no ${field} to use the embedded proxies`);
  }
}
