import { BlockList, isIP } from 'node:net';

/** One destination a reference proxy may connect to: an IP literal (or name) and a TCP port. */
export interface Destination {
  readonly host: string;
  readonly port: number;
}

/**
 * The destinations a reference proxy may reach, as host:port pairs (docs/architecture.md: the reference proxies
 * must never be an open relay). IP literals are compared after normalising, so `::ffff:127.0.0.1`
 * matches `127.0.0.1`, `[::1]` matches `::1` and `0:0:0:0:0:0:0:1` matches `::1`. Other hosts are
 * compared as lower-case names; the proxies resolve names before asking (resolve-destination.ts), so
 * entries meant for the proxies should be IP literals.
 */
export class Allowlist {
  /**
   * `host:port` as written in the entries (normalised): the per-request fast path, since the
   * harness asks with the very literals it was given. net.BlockList builds a SocketAddress per
   * check (~5 µs), so it only decides the other spellings.
   */
  private readonly exact = new Set<string>();
  /** Per port, the IP addresses allowed on it. net.BlockList normalises IPv6 and IPv4-mapped forms. */
  private readonly addressesByPort = new Map<number, BlockList>();
  private readonly entries: Destination[] = [];

  constructor(entries: readonly Destination[]) {
    for (const entry of entries) {
      const host = normaliseHost(entry.host);
      const family = isIP(host);
      this.exact.add(`${host}:${entry.port}`);
      if (family !== 0) {
        let list = this.addressesByPort.get(entry.port);
        if (list === undefined) {
          list = new BlockList();
          this.addressesByPort.set(entry.port, list);
        }
        list.addAddress(host, family === 6 ? 'ipv6' : 'ipv4');
      }
      this.entries.push({ host, port: entry.port });
    }
  }

  /** True when `host` (IP literal, bracketed IPv6 or name) on TCP `port` is on the list. */
  allows(host: string, port: number): boolean {
    const normalised = normaliseHost(host);
    if (this.exact.has(`${normalised}:${port}`)) return true;
    const family = isIP(normalised);
    if (family === 0) return false;
    return this.addressesByPort.get(port)?.check(normalised, family === 6 ? 'ipv6' : 'ipv4') ?? false;
  }

  /** The entries, hosts normalised (brackets removed, lower case); what a child process is sent. */
  toJSON(): Destination[] {
    return this.entries.map((entry) => ({ ...entry }));
  }
}

/** Removes IPv6 brackets and lower-cases, so `[::1]` and `LOCALHOST` compare as `::1` and `localhost`. */
function normaliseHost(host: string): string {
  return host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}
