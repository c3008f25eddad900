import { UsageError } from './errors.js';

/**
 * Targets of the user's own (issue #13: `run --target URL`, or `targets` in a scenario file): an
 * upstream the run drives the proxy toward instead of the mock origins. Its bodies are not ours,
 * so they are verified by status and length, and by a SHA-256 digest when the user gives one.
 */

/**
 * How a request kind's response bodies were verified (the report's `byKind[kind].verification`):
 * `bytes` every byte against the body the mock origin was asked for (our own targets); `length`
 * a 2xx status and as many body bytes as `Content-Length` says (a chunked body: its framing);
 * `sha256` the same plus the body's SHA-256 against the digest the user gave.
 */
export type BodyVerification = 'bytes' | 'length' | 'sha256';

/** One target of the user's own, validated. */
export interface UserTarget {
  /** An http:// or https:// URL as given; user info in it is sent to the target as HTTP Basic auth. */
  readonly url: string;
  /** SHA-256 (64 lower-case hex digits) the body must have; absent: status and length only. */
  readonly sha256Hex?: string;
}

const SHA256_HEX = /^[0-9a-f]{64}$/i;

/**
 * Checks a target URL (http:// or https://, a host, no fragment) and its optional digest.
 *
 * @param field names the flag or scenario field in errors (`--target`, `scenario.targets[0].url`)
 * @throws UsageError naming `field` (or `sha256Field`), never echoing the URL's user info
 */
export function parseUserTarget(field: string, url: unknown, sha256?: unknown, sha256Field = `${field}.sha256`): UserTarget {
  if (typeof url !== 'string' || url.trim() === '') throw new UsageError(field, `expects an http:// or https:// URL (got ${JSON.stringify(url)})`);
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new UsageError(field, `expects an http:// or https:// URL such as http://127.0.0.1:8080/file (got '${redactUserInfo(url)}')`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(field, `scheme '${parsed.protocol.replace(':', '')}' is not supported; a target is an http:// or https:// URL`);
  }
  if (parsed.hostname === '') throw new UsageError(field, `the URL has no host (got '${redactUserInfo(url)}')`);
  if (parsed.hash !== '') throw new UsageError(field, `a target URL has no #fragment (it is never sent); give a digest with --target-sha256 (got '${redactUserInfo(url)}')`);
  for (const part of [parsed.username, parsed.password]) {
    try {
      decodeURIComponent(part);
    } catch {
      throw new UsageError(field, "the URL's user info has a malformed %-escape; write a literal % as %25");
    }
  }
  return { url: parsed.href, ...(sha256 === undefined ? {} : { sha256Hex: parseSha256Hex(sha256Field, sha256) }) };
}

/** A SHA-256 digest as 64 hex digits, lower-cased. @throws UsageError naming `field` */
export function parseSha256Hex(field: string, input: unknown): string {
  if (typeof input !== 'string' || !SHA256_HEX.test(input.trim())) {
    throw new UsageError(field, `expects a SHA-256 digest as 64 hex digits, as sha256sum prints it (got ${JSON.stringify(input)})`);
  }
  return input.trim().toLowerCase();
}

/** The URL with any user info replaced by `***` (`https://***@host/file`): how reports and errors show it. */
export function redactUserInfo(url: string): string {
  // Up to the authority's last '@', as the WHATWG URL parser splits user info from the host.
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#\s]*@/i, '$1***@');
}

/** How a target is asked for: its origin, the origin-form path, and the Authorization its user info makes. */
export interface UserTargetRequest {
  /** Where the target listens: an `OriginAddress` (request.ts, not imported: request.ts leads back here through scenario.ts). */
  readonly origin: { readonly protocol: 'http' | 'https'; readonly host: string; readonly port: number };
  /** Path and query, e.g. `/files/a.bin?v=2`. */
  readonly path: string;
  /** `Basic …` from the URL's user info, or undefined. */
  readonly authorization?: string;
}

/** Splits a validated target URL into what a request needs. */
export function userTargetRequest(url: string): UserTargetRequest {
  const parsed = new URL(url);
  const protocol = parsed.protocol === 'https:' ? 'https' : 'http';
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = parsed.port === '' ? (protocol === 'https' ? 443 : 80) : Number(parsed.port);
  const hasUserInfo = parsed.username !== '' || parsed.password !== '';
  const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
  return {
    origin: { protocol, host, port },
    path: `${parsed.pathname}${parsed.search}`,
    ...(hasUserInfo ? { authorization: `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}` } : {}),
  };
}

/** Longest kind name derived from a URL, before a uniqueness suffix. */
const MAX_KIND_LENGTH = 80;

/**
 * The report's kind name for each target, in order (docs/report-schema.md): the host, the port
 * (the URL's, or its scheme's default), then the path and query, joined by `-`; every run of
 * characters other than letters, digits, `.` and `_` becomes one `-`, and the ends are trimmed
 * (`http://127.0.0.1:8080/files/a.bin?v=2` → `127.0.0.1-8080-files-a.bin-v-2`), cut at 80
 * characters. A name already taken gets `-2`, `-3` … in target order.
 */
export function userTargetKinds(targets: readonly UserTarget[]): string[] {
  const taken = new Set<string>();
  return targets.map((target) => {
    const { origin, path } = userTargetRequest(target.url);
    const base = `${origin.host.toLowerCase()}-${origin.port}-${path}`.replace(/[^A-Za-z0-9._]+/g, '-').replace(/^-+|-+$/g, '').slice(0, MAX_KIND_LENGTH).replace(/-+$/, '');
    let name = base;
    for (let n = 2; taken.has(name); n += 1) name = `${base}-${n}`;
    taken.add(name);
    return name;
  });
}
