import type { Server, Socket } from 'node:net';
import { SetupError } from '../../core/errors.js';

/** A listening proxy. */
export interface RunningProxyServer {
  readonly host: string;
  /** The bound TCP port. */
  readonly port: number;
  /** Stops listening and destroys every open connection (tunnels and origin connections included). */
  close(): Promise<void>;
}

/**
 * Listens on `host:port` (0 = any free port) and returns the handle every proxy in this folder
 * hands out. Every accepted connection is tracked, because `server.close()` only stops accepting:
 * close() also destroys open connections (tunnels included; their upstreams follow, see
 * splice-sockets.ts) and then runs `cleanup` (e.g. to destroy a keep-alive agent to the origin).
 */
export function listenTracked(
  server: Server,
  host: string,
  port: number,
  cleanup: () => void = () => {},
): Promise<RunningProxyServer> {
  const connections = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  });
  return new Promise((resolve, reject) => {
    // 'on', not 'once': after listening, accept errors such as EMFILE are emitted here too and must
    // not crash the proxy (rejecting a settled promise does nothing).
    server.on('error', (err: NodeJS.ErrnoException) => {
      reject(new SetupError(`a proxy could not listen on ${host}:${port} (${err.code ?? err.message})`));
    });
    server.listen(port, host, () => {
      const address = server.address();
      const boundPort = typeof address === 'object' && address !== null ? address.port : port;
      let closing: Promise<void> | undefined;
      resolve({
        host,
        port: boundPort,
        close: () => {
          closing ??= new Promise<void>((done) => {
            server.close(() => done());
            for (const socket of connections) socket.destroy();
            cleanup();
          });
          return closing;
        },
      });
    });
  });
}
