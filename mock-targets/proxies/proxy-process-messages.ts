import type { ProxyCredentials } from '../../core/proxy-url.js';
import type { Destination } from './allowlist.js';

/** The first (and only) IPC message the proxy child receives: which proxies, for which destinations. */
export interface ProxyProcessConfig {
  readonly http: boolean;
  readonly socks5: boolean;
  readonly allow: readonly Destination[];
  readonly auth?: ProxyCredentials;
}

/** What the child answers: its ports once listening, or why it could not start. */
export type ProxyProcessReply =
  | { readonly type: 'ready'; readonly httpPort?: number; readonly socksPort?: number }
  | { readonly type: 'error'; readonly message: string };

/**
 * Checks the config message at the process edge (docs/architecture.md: validate at the edge), so the child
 * fails with a sentence instead of a TypeError. Throws an Error naming the bad field.
 */
export function parseProxyProcessConfig(value: unknown): ProxyProcessConfig {
  if (!isRecord(value)) throw new Error('config: expected an object');
  const { http, socks5, allow, auth } = value;
  if (typeof http !== 'boolean' || typeof socks5 !== 'boolean') throw new Error('config: http and socks5 must be booleans');
  if (!Array.isArray(allow) || !allow.every(isDestination)) throw new Error('config.allow: expected [{ host, port }]');
  if (auth !== undefined && !(isRecord(auth) && typeof auth.username === 'string' && typeof auth.password === 'string')) {
    throw new Error('config.auth: expected { username, password }');
  }
  const credentials = auth as ProxyCredentials | undefined;
  return { http, socks5, allow, ...(credentials ? { auth: { username: credentials.username, password: credentials.password } } : {}) };
}

/** Type guard for what the parent receives from the child. */
export function isProxyProcessReply(value: unknown): value is ProxyProcessReply {
  if (!isRecord(value)) return false;
  if (value.type === 'error') return typeof value.message === 'string';
  return value.type === 'ready' && isOptionalPort(value.httpPort) && isOptionalPort(value.socksPort);
}

function isDestination(value: unknown): value is Destination {
  return isRecord(value) && typeof value.host === 'string' && isPort(value.port);
}

function isPort(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 65_535;
}

function isOptionalPort(value: unknown): boolean {
  return value === undefined || isPort(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
