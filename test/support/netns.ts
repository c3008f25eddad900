import { execFileSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

// Two Linux network namespaces joined by a veth pair, for tests that must cross a real interface
// rather than loopback (issue #13). Addresses come from the benchmarking range 198.18.0.0/15
// (RFC 2544) and are assigned only inside the namespaces made here: the veth is created inside the
// first namespace with its peer placed straight into the second, so neither end ever exists in the
// root namespace, and deleting the namespaces removes it. Neither namespace has a default route, so
// nothing sent inside can leave for a real network.

/** One side of the pair: a namespace, its end of the veth and the address on it. */
export interface NamespaceEnd {
  /** `ip netns` name, e.g. `pb-proxy-12345`. */
  readonly name: string;
  /** The veth end inside this namespace. */
  readonly device: string;
  /** IPv4 address of `device` (prefix {@link PREFIX_LENGTH}), in 198.18.0.0/15. */
  readonly address: string;
}

/** The proxy under test's namespace and the harness's, joined by one veth. */
export interface NamespacePair {
  readonly proxy: NamespaceEnd;
  readonly harness: NamespaceEnd;
}

/** Prefix length of both addresses: a /30 holds exactly the two ends. */
export const PREFIX_LENGTH = 30;

/** Debian's path first: /usr/sbin is often missing from a user's PATH. */
const IP_PATHS = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'];

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The `ip` executable of iproute2, or undefined when it is not installed. */
export function findIp(): string | undefined {
  const onPath = (process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== '').map((dir) => join(dir, 'ip'));
  return [...IP_PATHS, ...onPath].find(isExecutable);
}

function requireIp(): string {
  const ip = findIp();
  if (!ip) throw new Error('no ip command (apt-get install iproute2)');
  return ip;
}

/** Runs `ip args…` and returns its stdout; throws with ip's stderr when it fails. */
export function ip(args: readonly string[]): string {
  try {
    return execFileSync(requireIp(), args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`ip ${args.join(' ')} failed${stderr ? `: ${stderr}` : ''}`, { cause: error });
  }
}

/** The names `ip netns list` shows (each line is a name, maybe followed by `(id: N)`). */
export function listNamespaces(): string[] {
  return ip(['netns', 'list'])
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((name) => name !== '');
}

function deleteNamespaceIfPresent(name: string): void {
  if (listNamespaces().includes(name)) ip(['netns', 'delete', name]);
}

/**
 * Why namespaces cannot be made here (not root, no `ip`; `ip netns add`, a veth or `ip netns exec`
 * refused), or undefined when a throwaway namespace holding a veth pair could be made, entered and
 * deleted. `probeName`
 * must be unique to this run; a namespace of that name left by an earlier crash is replaced.
 */
export function namespacesUnavailable(probeName: string): string | undefined {
  if (process.platform !== 'linux') return `network namespaces are Linux only (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'not root (ip netns add needs CAP_SYS_ADMIN)';
  if (!findIp()) return 'no ip command (apt-get install iproute2)';
  try {
    deleteNamespaceIfPresent(probeName);
    ip(['netns', 'add', probeName]);
    try {
      ip(['-n', probeName, 'link', 'add', 'pb0', 'type', 'veth', 'peer', 'name', 'pb1']);
      // `ip netns exec` also needs to mount a /sys of its own, which some containers refuse.
      ip(['netns', 'exec', probeName, requireIp(), 'link', 'show', 'pb0']);
    } finally {
      ip(['netns', 'delete', probeName]);
    }
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Makes `pb-proxy-<runTag>` (198.18.0.1/30 on `pb0`) and `pb-harness-<runTag>` (198.18.0.2/30 on
 * `pb1`), with `lo` and the veth up in each. Namespaces of these names left by an earlier crash of
 * the same run tag are deleted first; others are never touched. On failure whatever was made is
 * deleted again before the error is thrown.
 */
export function createNamespacePair(runTag: string): NamespacePair {
  const pair: NamespacePair = {
    proxy: { name: `pb-proxy-${runTag}`, device: 'pb0', address: '198.18.0.1' },
    harness: { name: `pb-harness-${runTag}`, device: 'pb1', address: '198.18.0.2' },
  };
  deleteNamespacePair(pair);
  try {
    for (const end of [pair.proxy, pair.harness]) ip(['netns', 'add', end.name]);
    ip(['-n', pair.proxy.name, 'link', 'add', pair.proxy.device, 'type', 'veth', 'peer', 'name', pair.harness.device, 'netns', pair.harness.name]);
    for (const end of [pair.proxy, pair.harness]) {
      ip(['-n', end.name, 'link', 'set', 'lo', 'up']);
      ip(['-n', end.name, 'address', 'add', `${end.address}/${PREFIX_LENGTH}`, 'dev', end.device]);
      ip(['-n', end.name, 'link', 'set', end.device, 'up']);
    }
    return pair;
  } catch (error) {
    deleteNamespacePair(pair);
    throw error;
  }
}

/** Deletes both namespaces if they exist (the veth goes with them). */
export function deleteNamespacePair(pair: NamespacePair): void {
  for (const end of [pair.proxy, pair.harness]) deleteNamespaceIfPresent(end.name);
}

/**
 * Throws unless both namespaces exist, each holds its address on its veth end whose peer lies in
 * the other namespace, and neither has a default route (IPv4 or IPv6): checked before any traffic,
 * so that a packet can only go from one namespace to the other.
 */
export function verifyNamespacePair(pair: NamespacePair): void {
  const listed = listNamespaces();
  for (const [end, peer] of [[pair.proxy, pair.harness], [pair.harness, pair.proxy]] as const) {
    if (!listed.includes(end.name)) throw new Error(`namespace ${end.name} does not exist (ip netns list: ${listed.join(', ') || 'none'})`);
    const addresses = ip(['-n', end.name, '-4', '-o', 'address', 'show', 'dev', end.device]);
    if (!addresses.includes(` ${end.address}/${PREFIX_LENGTH} `)) throw new Error(`${end.device} in ${end.name} lacks ${end.address}/${PREFIX_LENGTH}: ${addresses.trim()}`);
    const link = ip(['-n', end.name, '-o', 'link', 'show', 'dev', end.device]);
    if (!link.includes(`link-netns ${peer.name}`)) throw new Error(`the peer of ${end.device} in ${end.name} is not in ${peer.name}: ${link.trim()}`);
    for (const family of ['-4', '-6']) {
      const defaults = ip(['-n', end.name, family, 'route', 'show', 'default']).trim();
      if (defaults !== '') throw new Error(`${end.name} has a default route (${defaults}); nothing may leave the pair`);
    }
  }
}

/** Byte counters of a veth end, read inside its namespace. */
export interface LinkCounters {
  readonly rxBytes: number;
  readonly txBytes: number;
}

/** The kernel's byte counters of `end.device` (`ip -s -j link show`). */
export function linkCounters(end: NamespaceEnd): LinkCounters {
  const [link] = JSON.parse(ip(['-n', end.name, '-s', '-j', 'link', 'show', 'dev', end.device])) as [{ stats64: { rx: { bytes: number }; tx: { bytes: number } } }];
  return { rxBytes: link.stats64.rx.bytes, txBytes: link.stats64.tx.bytes };
}

/** PIDs of the processes living in the namespace (`ip netns pids`). */
export function namespacePids(end: NamespaceEnd): number[] {
  return ip(['netns', 'pids', end.name])
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map(Number);
}

/** Whether process `pid` runs in network namespace `end` (same nsfs inode as /run/netns/<name>). */
export function runsInNamespace(pid: number, end: NamespaceEnd): boolean {
  return statSync(`/proc/${pid}/ns/net`).ino === statSync(`/run/netns/${end.name}`).ino;
}
