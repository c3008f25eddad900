import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { Client } from 'undici';
import type { RunningOrigin } from '../../mock-targets/origins/http-origin.js';
import { ORIGIN_TIMING_HEADER, parseOriginTimingMs } from '../../core/origin-wire/origin-paths.js';

/** A whole response, gathered for assertions (test bodies are small enough to hold). */
export interface OriginReply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** How many chunks the body arrived in. */
  readonly chunks: number;
  /** The origin's server-timing, or undefined when the header is missing. */
  readonly originMs: number | undefined;
}

/** A keep-alive undici Client to `origin`, trusting its test CA when it is HTTPS. */
export function clientFor(origin: RunningOrigin, options: { trustCa?: boolean } = {}): Client {
  const { protocol, host, port } = origin.address;
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  return new Client(`${protocol}://${hostInUrl}:${port}`, {
    connect: options.trustCa === false ? {} : { ca: origin.caPem },
    keepAliveTimeout: 60_000,
  });
}

/** Sends one request and reads the whole reply. */
export async function send(
  client: Client,
  path: string,
  init: { method?: 'GET' | 'POST' | 'PUT' | 'HEAD'; body?: Readable | Buffer } = {},
): Promise<OriginReply> {
  const res = await client.request({ path, method: init.method ?? 'GET', body: init.body ?? null });
  const parts: Buffer[] = [];
  for await (const chunk of res.body) parts.push(chunk as Buffer);
  return {
    status: res.statusCode,
    headers: res.headers as IncomingHttpHeaders,
    body: Buffer.concat(parts),
    chunks: parts.length,
    originMs: parseOriginTimingMs(res.headers[ORIGIN_TIMING_HEADER]),
  };
}
