import type { Socket } from 'node:net';

/**
 * Relays bytes both ways between a client and its upstream (a CONNECT or SOCKS5 tunnel) until both
 * directions have ended. Each side's FIN is passed on (half-close, RFC 9112 §9.6 / RFC 793), so a
 * request-then-shutdown client still gets its whole answer; an error or abrupt close on one side
 * destroys the other, so no socket outlives its partner.
 */
export function spliceSockets(client: Socket, upstream: Socket): void {
  client.pipe(upstream);
  upstream.pipe(client);
  linkTeardown(client, upstream);
  linkTeardown(upstream, client);
}

function linkTeardown(from: Socket, to: Socket): void {
  from.on('error', () => to.destroy());
  from.on('close', () => {
    // A clean close (both directions finished) leaves `to` to finish flushing what pipe() gave it.
    if (!(from.readableEnded && from.writableFinished)) to.destroy();
  });
}
