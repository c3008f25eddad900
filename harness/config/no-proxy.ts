import { BlockList, isIP } from 'node:net';
import { UsageError } from '../../core/errors.js';
import { firstSet, NO_PROXY_VARIABLES, type Environment } from './proxy-env.js';

/**
 * `NO_PROXY` under `--proxy env`. curl sends a host that `NO_PROXY` matches straight to it,
 * bypassing the proxy; a benchmark of a proxy its traffic bypasses measures nothing, so such a
 * run is refused rather than sent direct (or, worse, through the proxy against the user's setting).
 * Entries are matched as curl matches them: `*` matches every host; a name matches itself and its
 * subdomains (a leading dot is optional); an IP address matches itself, and a CIDR block
 * (`127.0.0.0/8`) every address in it; a `:port` suffix is ignored.
 *
 * @param hosts the hosts the run's traffic is sent to (its targets)
 * @throws UsageError naming the variable and the host it matches
 */
export function refuseNoProxyMatch(env: Environment, hosts: readonly string[]): void {
  const variable = firstSet(env, NO_PROXY_VARIABLES);
  if (!variable) return;
  const entries = variable.value.split(',').map((e) => e.trim().toLowerCase()).filter((e) => e !== '');
  for (const host of new Set(hosts.map(normalisedHost))) {
    const entry = entries.find((e) => matches(e, host));
    if (entry !== undefined) {
      throw new UsageError(variable.name, `'${entry}' matches ${host}, a target of this run: curl would reach it without the proxy, and a benchmark of a bypassed proxy measures nothing; unset ${variable.name} for this run, or give the proxy with --proxy URL`);
    }
  }
}

function normalisedHost(host: string): string {
  return host.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
}

/** Whether one NO_PROXY entry matches `host` (lower case, no brackets). */
function matches(entry: string, host: string): boolean {
  if (entry === '*') return true;
  if (entry.includes('/')) return inBlock(entry, host);
  const name = withoutPort(entry).replace(/^\./, '').replace(/^\[(.*)\]$/, '$1');
  if (isIP(name) !== 0 || isIP(host) !== 0) return name === host;
  return host === name || host.endsWith(`.${name}`);
}

/** `host:port` → `host`; an IPv6 literal (more than one colon, no brackets) is left whole. */
function withoutPort(entry: string): string {
  const bracketed = /^(\[[^\]]+\]):\d+$/.exec(entry);
  if (bracketed) return bracketed[1]!;
  const colons = entry.split(':').length - 1;
  return colons === 1 ? entry.slice(0, entry.indexOf(':')) : entry;
}

function inBlock(entry: string, host: string): boolean {
  const [network = '', bitsText = ''] = entry.split('/');
  const family = isIP(network);
  const bits = Number(bitsText);
  if (family === 0 || isIP(host) !== family || !Number.isInteger(bits)) return false;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (bits < 0 || bits > (family === 4 ? 32 : 128)) return false;
  const block = new BlockList();
  block.addSubnet(network, bits, type);
  return block.check(host, type);
}
