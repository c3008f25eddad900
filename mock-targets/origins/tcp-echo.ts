import { createServer, type Socket } from 'node:net';
import { listenOn } from './listen-on.js';

/** A TCP echo target that is listening. */
export interface RunningTcpEcho {
  readonly host: string;
  readonly port: number;
  /** Closes the server and every open connection; resolves when closed. */
  close(): Promise<void>;
}

/**
 * Starts a TCP server that echoes every byte back, for raw tunnels (CONNECT, SOCKS5) where the
 * harness checks the bytes it sent come back unchanged. Defaults: 127.0.0.1, any free port.
 * Rejects with SetupError when it cannot listen.
 */
export async function startTcpEcho(options: { host?: string; port?: number } = {}): Promise<RunningTcpEcho> {
  const host = options.host ?? '127.0.0.1';
  const sockets = new Set<Socket>();
  // allowHalfOpen: a client that ends its side first still gets every byte it sent, then our FIN.
  const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // A client that resets is normal under load; without a listener the error would be thrown.
    socket.on('error', () => socket.destroy());
    // pipe() honours backpressure: a slow reader pauses our reading, so nothing piles up here.
    socket.pipe(socket);
  });
  const port = await listenOn(server, host, options.port ?? 0, 'TCP echo');
  let closing: Promise<void> | undefined;
  return {
    host,
    port,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}
