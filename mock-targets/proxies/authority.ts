/** A destination named in a request target: host (IPv6 without brackets) and TCP port. */
export interface Authority {
  readonly host: string;
  readonly port: number;
}

const AUTHORITY = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]@/?#\s]+))(?::(\d{1,5}))?$/;

/**
 * Parses `host:port`, `[v6]:port`, or (when `defaultPort` is given) a host alone, as found in a
 * CONNECT target (RFC 9110 §9.3.6, where the port is required) or the authority of an absolute URI.
 * Returns undefined for anything else, including user info and ports outside 1–65535.
 */
export function parseAuthority(text: string, defaultPort?: number): Authority | undefined {
  const match = AUTHORITY.exec(text);
  if (match === null) return undefined;
  const host = match[1] ?? match[2];
  const port = match[3] === undefined ? defaultPort : Number(match[3]);
  if (host === undefined || port === undefined || port < 1 || port > 65_535) return undefined;
  return { host, port };
}
