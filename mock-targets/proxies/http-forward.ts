import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { parseAuthority, type Authority } from './authority.js';
import { answerRequest, passGate, type HttpProxyContext } from './http-proxy-gate.js';
import { pipeResponse } from './http-proxy-hooks.js';
import { forwardableHeaders } from './hop-by-hop.js';

/** An absolute-form request target: where to go, and what to ask for there. */
interface AbsoluteTarget extends Authority {
  /** The authority as written, sent on as the Host header (RFC 9112 §3.2.2). */
  readonly authority: string;
  /** Origin-form path and query, forwarded byte for byte (no URL normalisation). */
  readonly path: string;
}

const ABSOLUTE_FORM = /^http:\/\/([^/?#]*)([^#]*)$/i;

/**
 * Forwards one absolute-form request (`GET http://host:port/path`) to its origin through the
 * context's keep-alive agent and streams the response back. Origin-form and non-http targets get
 * 400, then the gate may answer 407/403/502 (http-proxy-gate.ts); an origin that cannot be reached
 * gets 502, and one that fails mid-body has the client connection destroyed, so the client sees a
 * truncated response rather than a short one that looks complete.
 */
export function forwardRequest(context: HttpProxyContext, request: IncomingMessage, response: ServerResponse): void {
  const target = parseAbsoluteTarget(request.url);
  if (target === undefined) {
    answerRequest(response, 400);
    return;
  }
  passGate(context, 'request', request.headers['proxy-authorization'], target.host, target.port).then(
    (decision) => {
      if (!decision.forward) answerRequest(response, decision.status);
      else if (!response.destroyed) sendUpstream(context, request, response, target, decision.address, false);
    },
    () => answerRequest(response, 502),
  );
}

function parseAbsoluteTarget(url: string | undefined): AbsoluteTarget | undefined {
  const match = url === undefined ? null : ABSOLUTE_FORM.exec(url);
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  const authority = parseAuthority(match[1], 80);
  if (authority === undefined) return undefined;
  const path = match[2] === '' ? '/' : match[2].startsWith('?') ? `/${match[2]}` : match[2];
  return { ...authority, authority: match[1], path };
}

function sendUpstream(
  context: HttpProxyContext,
  request: IncomingMessage,
  response: ServerResponse,
  target: AbsoluteTarget,
  address: string,
  isRetry: boolean,
): void {
  const lengthHeader = request.headers['content-length'];
  const chunked = lengthHeader === undefined && request.headers['transfer-encoding'] !== undefined;
  const hasBody = chunked || (lengthHeader !== undefined && lengthHeader !== '0');
  const headers = forwardableHeaders(request.headers);
  headers.host = target.authority;
  // Transfer-Encoding is hop-by-hop, but a body of unknown length still needs framing on this hop.
  if (chunked) headers['transfer-encoding'] = 'chunked';
  const upstream = httpRequest({
    host: address,
    port: target.port,
    method: request.method,
    path: target.path,
    headers,
    agent: context.agent,
    setHost: false,
  });
  let responded = false;
  response.once('close', () => {
    if (!response.writableFinished) upstream.destroy();
  });
  upstream.once('response', (origin: IncomingMessage) => {
    responded = true;
    relayResponse(context, origin, response);
  });
  upstream.once('error', () => {
    if (responded) {
      response.destroy();
    } else if (!isRetry && !hasBody && upstream.reusedSocket) {
      // The origin closed a pooled connection as we reused it (RFC 9112 §9.3.1): a bodiless request
      // is safe to send once more on a fresh one, rather than blaming the proxy with a 502.
      sendUpstream(context, request, response, target, address, true);
    } else {
      answerRequest(response, 502);
    }
  });
  if (hasBody) request.pipe(upstream);
  else upstream.end();
}

function relayResponse(context: HttpProxyContext, origin: IncomingMessage, response: ServerResponse): void {
  // An origin that dies mid-body must not look like a complete (shorter) response to the client.
  origin.on('error', () => response.destroy());
  origin.once('close', () => {
    if (!origin.complete) response.destroy();
  });
  const relay = context.hooks.relayResponse ?? pipeResponse;
  relay({ origin, client: response, headers: forwardableHeaders(origin.headers) });
}
