import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { SetupError } from '../../core/errors.js';

/**
 * Opens a UDP socket bound to `host`:`port` (0 = any free port) and resolves with it and the port it
 * got. Rejects with SetupError naming `what`, as listen-on.ts does for TCP, so a run whose UDP target
 * cannot bind exits 3 (README's exit-code table).
 */
export function bindUdp(host: string, port: number, what: string): Promise<{ socket: Socket; port: number }> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });
    const onError = (err: NodeJS.ErrnoException): void => {
      socket.close();
      reject(new SetupError(`${what} could not bind ${host}:${port}: ${err.code ?? err.message}`));
    };
    socket.once('error', onError);
    socket.bind(port, host, () => {
      socket.off('error', onError);
      resolve({ socket, port: socket.address().port });
    });
  });
}
