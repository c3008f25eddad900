import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { OriginRequestHandler } from '../../mock-targets/origins/origin-request-handler.js';
import { ResponseGate } from '../../mock-targets/origins/response-gate.js';

/** A listening stale-connection server. */
export interface StaleConnectionServer {
  readonly host: string;
  readonly port: number;
  /** Requests that met a closed connection instead of an answer. */
  readonly dropped: () => number;
  close(): Promise<void>;
}

/**
 * A mock origin (it answers like one, server-timing included, and takes absolute-form targets, so
 * it also stands in for a forward proxy) that answers only the first request of each connection,
 * keep-alive and all, and closes the connection when a second request arrives on it. That is the
 * race docs/measurement.md §7 is about — a proxy closing an idle connection just as the client reuses it —
 * made deterministic: every reused connection is stale. With `answerAtMost`, it answers that many
 * requests in all and then drops every request, on new connections too.
 */
export async function startStaleConnectionServer(options: { readonly answerAtMost?: number } = {}): Promise<StaleConnectionServer> {
  let budget = options.answerAtMost ?? Number.POSITIVE_INFINITY;
  const origin = new OriginRequestHandler(new ResponseGate());
  const answered = new WeakSet<Socket>();
  const sockets = new Set<Socket>();
  let dropped = 0;
  const server = createServer({ keepAliveTimeout: 60_000 }, (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    if (answered.has(socket) || budget <= 0) {
      dropped++;
      socket.destroy();
      return;
    }
    answered.add(socket);
    budget--;
    origin.handle(req, res);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    host: '127.0.0.1',
    port: address.port,
    dropped: () => dropped,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
