import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { SetupError } from '../../core/errors.js';
import { redactUserInfo, userTargetRequest, type UserTarget } from '../../core/user-target.js';

/** A destination the embedded proxy may reach: an IP literal and a TCP port. */
export interface TargetDestination {
  readonly host: string;
  readonly port: number;
}

/**
 * Where the user's targets are, as the embedded reference proxy's allowlist needs them: every
 * address of each target's host, with its port, and nothing else. The proxy resolves a name
 * itself and checks each address against its list (mock-targets/proxies/resolve-destination.ts),
 * so a name is resolved here the same way, and the list admits exactly the targets named.
 *
 * @throws SetupError when a target's name does not resolve here
 */
export async function userTargetDestinations(targets: readonly UserTarget[]): Promise<TargetDestination[]> {
  const seen = new Map<string, TargetDestination>();
  for (const target of targets) {
    const { origin } = userTargetRequest(target.url);
    for (const host of await addressesOf(origin.host, target.url)) seen.set(`${host}:${origin.port}`, { host, port: origin.port });
  }
  return [...seen.values()];
}

async function addressesOf(host: string, url: string): Promise<string[]> {
  if (isIP(host) !== 0) return [host];
  try {
    return (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
  } catch (err) {
    throw new SetupError(`cannot resolve the host of target ${redactUserInfo(url)} (${(err as NodeJS.ErrnoException).code ?? String(err)}); the embedded proxy admits only the addresses of the targets named`);
  }
}
