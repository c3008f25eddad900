import { UsageError } from './errors.js';

/**
 * Proxy URLs as curl reads them: `http://user:pass@host:port`, `socks5://…` (the client resolves
 * names), `socks5h://…` (the proxy resolves names). No scheme means `http://`; no port means 1080,
 * curl's default for every proxy scheme. User and password are percent-decoded.
 */

/** Credentials for HTTP Basic (Proxy-Authorization) or SOCKS5 username/password (RFC 1929). */
export interface ProxyCredentials {
  readonly username: string;
  readonly password: string;
}

/** A parsed proxy endpoint; the union says which protocols a run can drive through it. */
export type ProxyEndpoint =
  | { readonly kind: 'http'; readonly host: string; readonly port: number; readonly auth?: ProxyCredentials }
  | {
      readonly kind: 'socks5';
      readonly host: string;
      readonly port: number;
      readonly auth?: ProxyCredentials;
      /** True for `socks5h://`: names go to the proxy unresolved (ATYP 0x03). */
      readonly resolveAtProxy: boolean;
    };

/** An HTTP proxy's endpoint (forward requests and CONNECT). */
export type HttpProxyEndpoint = Extract<ProxyEndpoint, { readonly kind: 'http' }>;

/** A SOCKS5 proxy's endpoint. */
export type Socks5ProxyEndpoint = Extract<ProxyEndpoint, { readonly kind: 'socks5' }>;

/** curl's default port for a proxy URL without one. */
export const DEFAULT_PROXY_PORT = 1080;

const SCHEMES = ['http:', 'socks5:', 'socks5h:'] as const;

/** Parses a curl-style proxy URL. Throws a {@link UsageError} for `field` when it is not one. */
export function parseProxyUrl(field: string, input: string): ProxyEndpoint {
  const text = input.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UsageError(field, `expects a proxy URL such as http://127.0.0.1:3128 or socks5://user:pass@127.0.0.1:1080 (got '${redactProxyUrl(input)}')`);
  }
  const scheme = url.protocol.toLowerCase();
  if (!(SCHEMES as readonly string[]).includes(scheme)) {
    throw new UsageError(field, `scheme '${scheme.replace(':', '')}' is not supported; use http://, socks5:// or socks5h://`);
  }
  if (url.pathname !== '/' && url.pathname !== '') {
    throw new UsageError(field, `a proxy URL has no path (got '${redactProxyUrl(input)}')`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw new UsageError(field, `the proxy URL has no host (got '${redactProxyUrl(input)}')`);
  const port = url.port === '' ? DEFAULT_PROXY_PORT : Number(url.port);
  const auth = url.username !== '' || url.password !== ''
    ? { username: percentDecoded(field, url.username, 'user name'), password: percentDecoded(field, url.password, 'password') }
    : undefined;
  if (scheme === 'http:') return { kind: 'http', host, port, ...(auth ? { auth } : {}) };
  return { kind: 'socks5', host, port, resolveAtProxy: scheme === 'socks5h:', ...(auth ? { auth } : {}) };
}

/** Formats an endpoint back into a URL with the password replaced by `***`. */
export function formatProxyEndpoint(endpoint: ProxyEndpoint): string {
  const scheme = endpoint.kind === 'http' ? 'http' : endpoint.resolveAtProxy ? 'socks5h' : 'socks5';
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  const user = endpoint.auth ? `${encodeURIComponent(endpoint.auth.username)}:***@` : '';
  return `${scheme}://${user}${host}:${endpoint.port}`;
}

/**
 * Redacts the password of anything that looks like a URL with credentials, for error messages
 * about input that did not parse (so a typo never prints a secret).
 */
export function redactProxyUrl(input: string): string {
  // Greedy up to the authority's last '@', as curl and the WHATWG URL parser split user info from
  // the host: a password may hold '@' itself (`http://u:p@ss@host`).
  return input.replace(/(\/\/[^:/@\s]*:)[^\s/]*@/g, '$1***@');
}

/** `text` percent-decoded; a malformed escape (`%zz`) is the user's typo, not an internal error. */
function percentDecoded(field: string, text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new UsageError(field, `the proxy URL's ${what} has a malformed %-escape; write a literal % as %25`);
  }
}
