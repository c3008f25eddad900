import { createSocket, type Socket as DgramSocket } from 'node:dgram';
import { TransportFailure } from '../transport-failure.js';
import { udpFamilyOf } from './udp-frame.js';

/** Codes that say the harness ran out of sockets, ports or buffers: our limit, not the proxy's. */
const HARNESS_LIMIT_CODES = new Set(['EMFILE', 'ENFILE', 'ENOBUFS', 'EADDRNOTAVAIL', 'EADDRINUSE']);

/**
 * Receive buffer asked for each socket, bytes (the kernel caps it at net.core.rmem_max): echoes
 * that arrive in a burst wait in it while the event loop is busy, so the harness is not the one
 * that drops them. Linux's default (~208 KiB) holds only a few hundred small datagrams.
 */
const RECEIVE_BUFFER_BYTES = 1024 * 1024;

/**
 * Binds a UDP socket on `host` (an IP literal; its family picks udp4 or udp6), any port. Rejects
 * with a classified TransportFailure: `harness_limit` when the machine has no socket or port to
 * give, `other` otherwise.
 */
export async function bindUdpSocket(host: string): Promise<DgramSocket> {
  const socket = createSocket({ type: udpFamilyOf(host), recvBufferSize: RECEIVE_BUFFER_BYTES });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    socket.close();
    const code = (err as { code?: unknown }).code;
    const text = typeof code === 'string' ? code : String(err);
    throw new TransportFailure(typeof code === 'string' && HARNESS_LIMIT_CODES.has(code) ? 'harness_limit' : 'other', `binding a UDP socket on ${host}: ${text}`);
  }
  // A failed send or an ICMP error is a lost datagram, which the tally counts; it must not throw.
  socket.on('error', () => {});
  return socket;
}

/** Closes `socket`; resolves once it is closed (at once when it already was). */
export function closeUdpSocket(socket: DgramSocket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve(); // ERR_SOCKET_DGRAM_NOT_RUNNING: closed already
    }
  });
}
