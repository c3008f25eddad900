import { UsageError } from '../../core/errors.js';
import { proxyKindFor, type ProxyInput, type ProxyKind } from '../../core/proxy-set.js';
import { redactProxyUrl } from '../../core/proxy-url.js';
import type { Scenario } from '../../core/scenario.js';

/**
 * `--proxy env`: the proxies curl would take from the environment, read only when asked for.
 * curl's convention: a target's scheme picks `<scheme>_proxy` — for http only the lower-case
 * `http_proxy` (curl ignores `HTTP_PROXY`, which a CGI server sets from a request's `Proxy:`
 * header), for https `https_proxy` then `HTTPS_PROXY` — and `all_proxy`/`ALL_PROXY` is the
 * fallback for every scheme.
 */

/** An environment as `process.env` is one. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** The `--proxy` value that stands for the environment's proxies. */
export const ENV_PROXY = 'env';

/** The field errors about the environment's proxies name. */
const FIELD = '--proxy env';

type TargetScheme = 'http' | 'https';

/** Variables of each target scheme, in the order curl reads them. */
const SCHEME_VARIABLES: Readonly<Record<TargetScheme, readonly string[]>> = {
  http: ['http_proxy'],
  https: ['https_proxy', 'HTTPS_PROXY'],
};
const ALL_VARIABLES = ['all_proxy', 'ALL_PROXY'] as const;
/** The variables that list hosts to reach without a proxy. */
export const NO_PROXY_VARIABLES = ['no_proxy', 'NO_PROXY'] as const;

/** A variable that is set, with its value. */
interface SetVariable {
  readonly name: string;
  readonly value: string;
}

/** The first of `names` set to a non-empty value (curl treats an empty one as unset). */
export function firstSet(env: Environment, names: readonly string[]): SetVariable | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return { name, value };
  }
  return undefined;
}

function kindOfValue(value: string): ProxyKind {
  return /^socks5h?:\/\//i.test(value) ? 'socks5' : 'http';
}

/** The (proxy kind, target scheme) pairs a scenario's mix and hold phase go through. */
function routesOf(scenario: Scenario): { kind: ProxyKind; scheme: TargetScheme }[] {
  const entries = [...scenario.mix, ...(scenario.hold ? [scenario.hold] : [])];
  const seen = new Map<string, { kind: ProxyKind; scheme: TargetScheme }>();
  for (const entry of entries) {
    const kind = proxyKindFor(entry.protocol);
    if (kind !== undefined) seen.set(`${kind} ${entry.origin}`, { kind, scheme: entry.origin });
  }
  return [...seen.values()];
}

/** The variable curl reads for `scheme`, or the ALL_PROXY fallback; with the scheme's own names for errors. */
function curlChoice(env: Environment, scheme: TargetScheme): SetVariable | undefined {
  return firstSet(env, SCHEME_VARIABLES[scheme]) ?? firstSet(env, ALL_VARIABLES);
}

/** The variable a route goes through, as curl would choose it. */
function variableFor(env: Environment, scenario: Scenario, kind: ProxyKind, scheme: TargetScheme): SetVariable {
  const chosen = curlChoice(env, scheme);
  if (kind === 'socks5') {
    if (chosen && kindOfValue(chosen.value) === 'socks5') return chosen;
    const all = firstSet(env, ALL_VARIABLES);
    if (all && kindOfValue(all.value) === 'socks5') return all;
    throw new UsageError(FIELD, `scenario '${scenario.name}' needs a SOCKS5 proxy, and no proxy variable holds a socks5:// URL; set ALL_PROXY=socks5://host:port, or give --proxy socks5://host:port`);
  }
  if (!chosen) {
    const names = [...SCHEME_VARIABLES[scheme], ...ALL_VARIABLES].join(', ');
    const upper = scheme === 'http' && firstSet(env, ['HTTP_PROXY']) ? ' (HTTP_PROXY is set, but curl ignores the upper-case name for http; set http_proxy)' : '';
    throw new UsageError(FIELD, `scenario '${scenario.name}' sends ${scheme} targets through an HTTP proxy, but none of ${names} is set${upper}`);
  }
  if (kindOfValue(chosen.value) !== 'http') {
    throw new UsageError(FIELD, `${chosen.name} names a SOCKS proxy (${redactProxyUrl(chosen.value)}), but scenario '${scenario.name}' sends ${scheme} targets through an HTTP proxy; set ${SCHEME_VARIABLES[scheme][0]} to an http:// proxy`);
  }
  return chosen;
}

/**
 * The proxies curl would use for the scenario's targets, one per kind, each named in errors by its
 * variable (`--proxy env (https_proxy)`). The scenario's protocols decide the kind (a SOCKS5
 * protocol takes a `socks5://` value, from ALL_PROXY when the scheme's own variable holds an HTTP
 * proxy). When curl would send http and https targets through different proxies of one kind the
 * run is refused: proxybench drives one pool per kind for every target, which would not be what
 * curl does.
 *
 * @throws UsageError naming `--proxy env` and the variable to set
 */
export function proxiesFromEnvironment(env: Environment, scenario: Scenario): ProxyInput[] {
  const byKind = new Map<ProxyKind, { variable: SetVariable; scheme: TargetScheme }>();
  for (const { kind, scheme } of routesOf(scenario)) {
    const variable = variableFor(env, scenario, kind, scheme);
    const earlier = byKind.get(kind);
    if (earlier && earlier.variable.value !== variable.value) {
      throw new UsageError(FIELD, `curl would send ${earlier.scheme} targets through ${earlier.variable.name} (${redactProxyUrl(earlier.variable.value)}) and ${scheme} targets through ${variable.name} (${redactProxyUrl(variable.value)}); proxybench sends every target of a kind through one pool, so give the proxy to measure with --proxy URL`);
    }
    if (!earlier) byKind.set(kind, { variable, scheme });
  }
  return [...byKind.values()].map(({ variable }) => ({ field: `${FIELD} (${variable.name})`, url: variable.value }));
}
