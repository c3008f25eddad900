import { connect, type Socket } from 'node:net';

/** An upstream connect failure, with the errno-style `code` the proxies map to a reply. */
export interface UpstreamError extends Error {
  readonly code?: string;
}

/**
 * Opens the proxy's TCP connection to an allowed destination address. Nagle is off (a relay that
 * waits for the peer's delayed ACK adds ~40 ms per response: microsocks, docs/performance.md) and the
 * socket is half-open capable, so a tunnel can carry a client's FIN while the response still flows.
 *
 * @param timeoutMs how long the TCP connect may take before it fails with code `ETIMEDOUT`
 */
export function connectUpstream(address: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address, port, allowHalfOpen: true, noDelay: true });
    socket.setTimeout(timeoutMs, () => {
      socket.destroy(Object.assign(new Error(`connect to ${address}:${port} timed out`), { code: 'ETIMEDOUT' }));
    });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.setTimeout(0);
      socket.off('error', reject);
      // Until the caller wires the socket into a tunnel, a late error must not crash the process;
      // the caller learns of it through 'close'.
      socket.on('error', ignoreError);
      resolve(socket);
    });
  });
}

function ignoreError(): void {}
