import type { Server } from 'node:net';
import { SetupError } from '../../core/errors.js';

/**
 * Starts `server` listening on `host`:`port` (0 = any free port) and resolves with the port it got.
 * Rejects with SetupError naming `what` (e.g. `mock origin`), so the CLI exits 3 as the README's exit-code table says
 * when a run cannot bind its mock targets.
 */
export function listenOn(server: Server, host: string, port: number, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      reject(new SetupError(`${what} could not listen on ${host}:${port}: ${err.code ?? err.message}`));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address();
      // listen() on a host and port always yields an AddressInfo; a string would mean a pipe path.
      if (address === null || typeof address === 'string') reject(new SetupError(`${what} has no TCP address`));
      else resolve(address.port);
    });
  });
}
