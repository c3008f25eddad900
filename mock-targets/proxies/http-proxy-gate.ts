import { STATUS_CODES, type Agent, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ProxyCredentials } from '../../core/proxy-url.js';
import type { Allowlist } from './allowlist.js';
import type { HttpProxyHooks, ProxyAction } from './http-proxy-hooks.js';
import { closeWith } from './close-with.js';
import { BASIC_CHALLENGE, basicAuthorizationMatches } from './proxy-auth.js';
import { resolveAllowedDestination } from './resolve-destination.js';

/** What the forward and CONNECT handlers of one HTTP proxy share. */
export interface HttpProxyContext {
  readonly allow: Allowlist;
  readonly auth?: ProxyCredentials;
  readonly hooks: HttpProxyHooks;
  /** Keep-alive agent for absolute-form requests to origins. */
  readonly agent: Agent;
  /** Longest TCP connect to a CONNECT destination, in milliseconds. */
  readonly upstreamConnectTimeoutMs: number;
}

/** Whether to forward, and where: the allowed address to connect to, or the status to answer. */
export type GateDecision =
  | { readonly forward: true; readonly address: string }
  | { readonly forward: false; readonly status: number };

/**
 * Decides one request or CONNECT in the order a careful proxy does: credentials first (407, so an
 * unauthenticated client learns nothing about the allowlist), then the hooks, then the destination
 * (403 when not allowed, 502 when the name does not resolve).
 */
export async function passGate(
  context: HttpProxyContext,
  action: ProxyAction,
  proxyAuthorization: string | undefined,
  host: string,
  port: number,
): Promise<GateDecision> {
  if (context.auth !== undefined && !basicAuthorizationMatches(context.auth, proxyAuthorization)) {
    return { forward: false, status: 407 };
  }
  const hookStatus = await context.hooks.admit?.(action);
  if (hookStatus !== undefined) return { forward: false, status: hookStatus };
  const destination = await resolveAllowedDestination(context.allow, host, port);
  if (destination.ok) return { forward: true, address: destination.address };
  return { forward: false, status: destination.reason === 'not-allowed' ? 403 : 502 };
}

/**
 * The proxy's own answer to an absolute-form request. It carries no `Server-Timing` header, which
 * is how a client tells a proxy's refusal from an origin's status (the mock origins send one).
 */
export function answerRequest(response: ServerResponse, status: number): void {
  if (response.headersSent || response.destroyed) {
    response.destroy();
    return;
  }
  const body = `${status} ${STATUS_CODES[status] ?? 'Proxy Error'} (proxybench proxy)\n`;
  response.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...(status === 407 ? { 'proxy-authenticate': BASIC_CHALLENGE } : {}),
  });
  response.end(body);
}

/** The proxy's own answer to a CONNECT that will not be tunnelled; the connection is then closed. */
export function answerTunnel(socket: Socket, status: number): void {
  const challenge = status === 407 ? `Proxy-Authenticate: ${BASIC_CHALLENGE}\r\n` : '';
  closeWith(
    socket,
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Proxy Error'}\r\n${challenge}Content-Length: 0\r\nConnection: close\r\n\r\n`,
  );
}
