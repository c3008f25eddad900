import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Allowlist } from './allowlist.js';

/** Where a proxy may connect for a requested destination, or why it may not. */
export type ResolvedDestination =
  /** `address` is the IP literal that passed the allowlist; connect to it, never to the name again. */
  | { readonly ok: true; readonly address: string }
  /** `not-allowed`: no address of the destination is on the list; `unresolvable`: the name has no address. */
  | { readonly ok: false; readonly reason: 'not-allowed' | 'unresolvable' };

/** The name lookup, injectable so tests can map a name to any address without touching /etc/hosts. */
export type LookupAll = (host: string) => Promise<readonly { readonly address: string }[]>;

const systemLookup: LookupAll = (host) => lookup(host, { all: true, verbatim: true });

/**
 * Checks a requested destination (IP literal, bracketed IPv6 or name, plus TCP port) against the
 * allowlist. Names are resolved first and every address is checked; the first allowed one is
 * returned and is what the proxy connects to, so a name cannot smuggle a destination past the list
 * (nor can DNS answer differently between the check and the connect).
 */
export async function resolveAllowedDestination(
  allow: Allowlist,
  host: string,
  port: number,
  lookupAll: LookupAll = systemLookup,
): Promise<ResolvedDestination> {
  const literal = host.replace(/^\[(.*)\]$/, '$1');
  if (isIP(literal) !== 0) {
    return allow.allows(literal, port) ? { ok: true, address: literal } : { ok: false, reason: 'not-allowed' };
  }
  let addresses: readonly { readonly address: string }[];
  try {
    addresses = await lookupAll(literal);
  } catch {
    return { ok: false, reason: 'unresolvable' };
  }
  if (addresses.length === 0) return { ok: false, reason: 'unresolvable' };
  const allowed = addresses.find((entry) => allow.allows(entry.address, port));
  return allowed ? { ok: true, address: allowed.address } : { ok: false, reason: 'not-allowed' };
}
