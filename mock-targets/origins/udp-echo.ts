import { bindUdp } from './bind-udp.js';

/** A UDP echo target that is bound. */
export interface RunningUdpEcho {
  readonly host: string;
  readonly port: number;
  /** Datagrams received since start (each is sent back once). */
  received(): number;
  /** Closes the socket; resolves when closed. */
  close(): Promise<void>;
}

/**
 * Starts the UDP echo of the stream contract (core/origin-wire/stream-contract.ts): every datagram
 * goes back, unchanged, to the address and port it came from. Clients number their datagrams
 * (udpProbe) to count loss, reordering and duplicates. Defaults: 127.0.0.1, any free port. Rejects
 * with SetupError when it cannot bind.
 */
export async function startUdpEcho(options: { host?: string; port?: number } = {}): Promise<RunningUdpEcho> {
  const host = options.host ?? '127.0.0.1';
  const { socket, port } = await bindUdp(host, options.port ?? 0, 'UDP echo');
  let received = 0;
  socket.on('message', (datagram, from) => {
    received++;
    // A send that fails (a full buffer, a peer gone) is a lost datagram: UDP promises nothing more.
    socket.send(datagram, from.port, from.address, () => {});
  });
  // ICMP errors and the like must not crash the target; a lost datagram is the client's to count.
  socket.on('error', () => {});
  let closing: Promise<void> | undefined;
  return {
    host,
    port,
    received: () => received,
    close: () => {
      closing ??= new Promise<void>((resolve) => socket.close(() => resolve()));
      return closing;
    },
  };
}
