import { UsageError } from './errors.js';

/**
 * Where a run's mock targets listen, as `proxybench targets` prints it (one JSON line) and
 * `run --targets` reads it: a URL per target, and the PEM of the CA that signed the HTTPS and wss
 * targets' certificate. The URLs carry the address the proxy under test must use (`--advertise`),
 * which is how a proxy in a container, on another host or in a Kubernetes pod reaches the targets.
 */
export interface TargetsDescription {
  /** `http://host:port` — the HTTP origin. */
  readonly http?: string;
  /** `https://host:port` — the HTTPS origin (test certificate; trust {@link caPem}). */
  readonly https?: string;
  /** `tcp://host:port` — the TCP echo. */
  readonly tcpEcho?: string;
  /** `tcp://host:port` — the TCP source/sink (docs/targets.md). */
  readonly tcpSourceSink?: string;
  /** `ws://host:port/echo` — the WebSocket echo. */
  readonly webSocketEcho?: string;
  /** `wss://host:port/echo` — the WebSocket echo over TLS. */
  readonly webSocketEchoTls?: string;
  /** `udp://host:port` — the UDP echo. */
  readonly udpEcho?: string;
  /** PEM of the test CA, present when an HTTPS or wss target runs. */
  readonly caPem?: string;
}

/** Each target's key and the URL scheme it must have. */
export const TARGET_SCHEMES: Readonly<Record<Exclude<keyof TargetsDescription, 'caPem'>, string>> = {
  http: 'http:',
  https: 'https:',
  tcpEcho: 'tcp:',
  tcpSourceSink: 'tcp:',
  webSocketEcho: 'ws:',
  webSocketEchoTls: 'wss:',
  udpEcho: 'udp:',
};

/** Host and port of a target URL (brackets of an IPv6 literal removed). */
export function targetHostPort(url: string): { readonly host: string; readonly port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(parsed.port) };
}

/**
 * Reads a targets description from its JSON text (the line `proxybench targets` printed).
 *
 * @throws UsageError naming `field` for text that is not such a description
 */
export function parseTargetsDescription(field: string, text: string): TargetsDescription {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UsageError(field, "expects the JSON line 'proxybench targets' printed (or a file holding it), e.g. {\"http\":\"http://10.0.0.5:8080\"}");
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new UsageError(field, 'expects a JSON object of target URLs');
  const entries = Object.entries(data as Record<string, unknown>);
  const description: Record<string, string> = {};
  for (const [key, value] of entries) {
    if (key === 'caPem') {
      if (typeof value !== 'string' || !value.includes('BEGIN CERTIFICATE')) throw new UsageError(`${field}.caPem`, 'expects the PEM of the targets\' CA');
      description[key] = value;
      continue;
    }
    const scheme = (TARGET_SCHEMES as Record<string, string | undefined>)[key];
    if (scheme === undefined) throw new UsageError(field, `has an unknown target '${key}'; known: ${Object.keys(TARGET_SCHEMES).join(', ')}, caPem`);
    if (typeof value !== 'string') throw new UsageError(`${field}.${key}`, `expects a ${scheme}// URL`);
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new UsageError(`${field}.${key}`, `expects a ${scheme}// URL (got '${value}')`);
    }
    if (url.protocol !== scheme || url.hostname === '' || url.port === '') throw new UsageError(`${field}.${key}`, `expects ${scheme}//host:port (got '${value}')`);
    description[key] = value;
  }
  if (Object.keys(description).filter((k) => k !== 'caPem').length === 0) throw new UsageError(field, 'names no target');
  return description as TargetsDescription;
}
