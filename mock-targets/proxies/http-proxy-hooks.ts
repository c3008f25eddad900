import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

/**
 * The internal seam of the HTTP proxy: the reference proxy runs with no hooks, and the test
 * suite's misbehaving proxies (test/fixtures/faulty-proxies.ts) are the same proxy with a hook or
 * two, so a fault fixture differs from the product in exactly the fault it injects.
 */

/** One origin response on its way to the client. */
export interface ResponseRelay {
  /** The origin's response; its body has not been read yet. */
  readonly origin: IncomingMessage;
  /** The response to the proxy's client; nothing has been written yet. */
  readonly client: ServerResponse;
  /** The origin's headers with hop-by-hop fields removed (RFC 9110 §7.6.1) and Via added. */
  readonly headers: OutgoingHttpHeaders;
}

/** What a proxy is about to do, as the hooks see it. */
export type ProxyAction = 'request' | 'connect';

/** Hooks of the HTTP proxy; every one is optional and absent in the reference proxy. */
export interface HttpProxyHooks {
  /**
   * Called once per absolute-form request or CONNECT, after authentication and before the
   * destination is checked. Resolves to an HTTP status the proxy answers itself, or undefined to
   * go on (after any delay the hook chooses to add).
   */
  readonly admit?: (action: ProxyAction) => Promise<number | undefined> | number | undefined;
  /** Sends an origin response to the client; the default is {@link pipeResponse}. */
  readonly relayResponse?: (relay: ResponseRelay) => void;
}

/** Writes the origin's status line and filtered headers to the client (the body is the caller's). */
export function writeOriginHead(relay: ResponseRelay): void {
  relay.client.writeHead(relay.origin.statusCode ?? 502, relay.origin.statusMessage, relay.headers);
}

/** The proxy's own relay: status and filtered headers, then the body streamed as it arrives. */
export function pipeResponse(relay: ResponseRelay): void {
  writeOriginHead(relay);
  relay.origin.pipe(relay.client);
}
