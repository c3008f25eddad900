/**
 * The `proxy[…]` prefix of a threshold, which reads a metric from one entry of the report's
 * `byProxy`: `proxy[1].p99<50ms` (the proxy at position 1 of `config.proxies`, counting from 0),
 * `proxy[10.0.0.5:3128].successRate>=0.99` (by host and port), `proxy[squid.lan].p99<80ms` (by
 * host, when one proxy has it) or the URL itself as the report writes it. Request kinds may not
 * start with `proxy[` (scenarios/validate-scenario.ts), so the prefix never names a kind.
 */

/** The prefix that starts a proxy selector. */
export const PROXY_PREFIX = 'proxy[';

/** `proxy[sel].metric` split into the selector and the metric; undefined for any other name. */
export function splitProxyPrefix(name: string): { readonly selector: string; readonly metric: string } | undefined {
  // Greedy up to the last `].`: an IPv6 selector holds brackets of its own (`proxy[[::1]:3128].p99`).
  const match = /^proxy\[(.+)\]\.([^\]]+)$/.exec(name);
  return match ? { selector: match[1]!, metric: match[2]! } : undefined;
}

/** What a selector names in a list of proxy URLs: the URL (a byProxy key), or why none. */
export type SelectedProxy = { readonly url: string } | { readonly problem: string };

/**
 * Resolves a selector against the proxies a report lists (`config.proxies`, passwords `***`).
 *
 * @param proxies the URLs, in the report's order
 */
export function selectProxy(selector: string, proxies: readonly string[]): SelectedProxy {
  const listed = proxies.length === 0 ? 'the run drove no proxy' : `its proxies: ${proxies.map((p, i) => `[${i}] ${p}`).join(', ')}`;
  if (/^\d+$/.test(selector)) {
    const url = proxies[Number(selector)];
    return url !== undefined ? { url } : { problem: `there is no proxy ${selector} (positions count from 0; ${listed})` };
  }
  if (proxies.includes(selector)) return { url: selector };
  const wanted = hostAndPort(selector);
  const found = proxies.filter((url) => {
    const address = addressOf(url);
    return address !== undefined && address.host === wanted.host && (wanted.port === undefined || address.port === wanted.port);
  });
  if (found.length === 1) return { url: found[0]! };
  if (found.length === 0) return { problem: `no proxy is at ${selector} (${listed})` };
  return { problem: `${selector} names ${found.length} proxies (${found.join(', ')}); add the port, or name one by its position` };
}

/** `host`, `host:port`, `[v6]:port` or a bare IPv6 literal, host in lower case without brackets. */
function hostAndPort(text: string): { host: string; port?: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) return { host: bracketed[1]!.toLowerCase(), ...(bracketed[2] !== undefined ? { port: Number(bracketed[2]) } : {}) };
  const hostPort = /^([^:]+):(\d+)$/.exec(text);
  if (hostPort) return { host: hostPort[1]!.toLowerCase(), port: Number(hostPort[2]) };
  return { host: text.toLowerCase() };
}

function addressOf(url: string): { host: string; port: number } | undefined {
  try {
    const parsed = new URL(url);
    // The URL parser drops a scheme's default port (http's 80), which the report's URL spelled out.
    const port = parsed.port === '' && parsed.protocol === 'http:' ? 80 : Number(parsed.port);
    return { host: parsed.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase(), port };
  } catch {
    return undefined;
  }
}
