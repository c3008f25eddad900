import type { Socket } from 'node:net';

/**
 * How long a refused client may keep its half of the connection open after the proxy's final
 * message, in ms. RFC 1928 §6 asks for the close within 10 s; one is plenty on loopback.
 */
export const REFUSAL_LINGER_MS = 1_000;

/**
 * Sends a final message (a refusal) and closes the connection for good. The proxy's sockets are
 * half-open capable for tunnels, so end() alone would wait for the client's FIN forever; and
 * destroying at once could reset the connection over unread client bytes and lose the message.
 * So the message goes with a FIN, whatever the client still sends is drained, and the socket is
 * destroyed when the client closes its side or after {@link REFUSAL_LINGER_MS}.
 */
export function closeWith(socket: Socket, message: Buffer | string): void {
  if (socket.destroyed) return;
  const timer = setTimeout(() => socket.destroy(), REFUSAL_LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  socket.once('end', () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.resume();
  socket.end(message);
}
