import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { parseAuthority } from './authority.js';
import { connectUpstream } from './connect-upstream.js';
import { answerTunnel, passGate, type HttpProxyContext } from './http-proxy-gate.js';
import { spliceSockets } from './splice-sockets.js';

const ESTABLISHED = 'HTTP/1.1 200 Connection Established\r\n\r\n';

/**
 * Handles one CONNECT (RFC 9110 §9.3.6): after the gate (407/403/502), connects to the allowed
 * address, answers 200 and relays raw bytes both ways. A destination that refuses or cannot be
 * reached gets 502; one that does not answer within the connect timeout gets 504.
 *
 * @param head bytes the client sent after the CONNECT head, forwarded first
 */
export function openTunnel(context: HttpProxyContext, request: IncomingMessage, client: Socket, head: Buffer): void {
  client.setNoDelay(true);
  // Until the tunnel is spliced, an error just ends this client; splice-sockets takes over after.
  const dropClient = (): void => {
    client.destroy();
  };
  client.on('error', dropClient);
  const authority = parseAuthority(request.url ?? '');
  if (authority === undefined) {
    answerTunnel(client, 400);
    return;
  }
  passGate(context, 'connect', request.headers['proxy-authorization'], authority.host, authority.port)
    .then(async (decision) => {
      if (!decision.forward) {
        answerTunnel(client, decision.status);
        return;
      }
      const upstream = await connectUpstream(decision.address, authority.port, context.upstreamConnectTimeoutMs);
      if (client.destroyed) {
        upstream.destroy();
        return;
      }
      client.off('error', dropClient);
      client.write(ESTABLISHED);
      if (head.length > 0) upstream.write(head);
      spliceSockets(client, upstream);
    })
    .catch((err: unknown) => {
      const code = (err as NodeJS.ErrnoException).code;
      answerTunnel(client, code === 'ETIMEDOUT' ? 504 : 502);
    });
}
