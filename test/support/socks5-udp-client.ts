import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { isIPv4 } from 'node:net';
import { connectTo, type SocketReader } from './proxy-client.js';

/**
 * A SOCKS5 UDP ASSOCIATE client for tests (RFC 1928 §4, §7), written apart from the proxy's own
 * encoders so a test does not check the proxy against itself. IPv4 and domain names only.
 */

/** A datagram the relay sent back: the §7 header read, and the data after it. */
export interface RelayedDatagram {
  readonly frag: number;
  readonly host: string;
  readonly port: number;
  readonly data: Buffer;
}

/** RFC 1928 address block for an IPv4 literal (ATYP 1) or a name (ATYP 3). */
export function addressBlock(host: string, port: number): Buffer {
  const portBytes = Buffer.from([port >> 8, port & 0xff]);
  if (isIPv4(host)) return Buffer.concat([Buffer.from([1, ...host.split('.').map(Number)]), portBytes]);
  return Buffer.concat([Buffer.from([3, host.length]), Buffer.from(host, 'latin1'), portBytes]);
}

/** A client datagram: RSV 0 0, FRAG, address block of the destination, data. */
export function clientDatagram(host: string, port: number, data: Buffer, frag = 0): Buffer {
  return Buffer.concat([Buffer.from([0, 0, frag]), addressBlock(host, port), data]);
}

/** Reads the §7 header of a datagram from the relay (IPv4 or IPv6 source). */
export function readRelayed(datagram: Buffer): RelayedDatagram {
  const atyp = datagram[3];
  if (datagram[0] !== 0 || datagram[1] !== 0 || (atyp !== 1 && atyp !== 4)) throw new Error(`not a §7 header: ${datagram.subarray(0, 4).toString('hex')}`);
  const addressEnd = atyp === 1 ? 8 : 20;
  const raw = datagram.subarray(4, addressEnd);
  const host = atyp === 1 ? raw.join('.') : Array.from({ length: 8 }, (_, i) => raw.readUInt16BE(i * 2).toString(16)).join(':');
  return { frag: datagram[2] ?? -1, host, port: datagram.readUInt16BE(addressEnd), data: datagram.subarray(addressEnd + 2) };
}

/** A UDP socket on a loopback address that queues what it receives, so a test can await datagrams in order. */
export class UdpInbox {
  readonly received: Buffer[] = [];
  private wake: () => void = () => {};

  private constructor(readonly socket: UdpSocket) {
    socket.on('message', (message) => {
      this.received.push(message);
      this.wake();
    });
  }

  /** Binds a new socket on `host` (a loopback IPv4 address, default 127.0.0.1), any port. */
  static async open(host = '127.0.0.1'): Promise<UdpInbox> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, host, () => resolve());
    });
    return new UdpInbox(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** The `index`-th datagram this socket received (0-based), once it has arrived. */
  async nth(index: number): Promise<Buffer> {
    while (this.received.length <= index) await new Promise<void>((resolve) => (this.wake = resolve));
    return this.received[index] as Buffer;
  }

  send(datagram: Buffer, port: number, host = '127.0.0.1'): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(datagram, port, host, (err) => (err ? reject(err) : resolve())));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** An open association: its control connection, the relay's address, and the client's UDP socket. */
export interface Socks5UdpAssociation {
  readonly control: SocketReader;
  /** REP of the reply (0 on success). */
  readonly rep: number;
  readonly relayHost: string;
  readonly relayPort: number;
  readonly inbox: UdpInbox;
  /** Sends `data` to `host`:`port` through the relay, with FRAG `frag`. */
  sendTo(host: string, port: number, data: Buffer, frag?: number): Promise<void>;
  /** The `index`-th datagram the relay sent back, header read. */
  reply(index: number): Promise<RelayedDatagram>;
  close(): Promise<void>;
}

/**
 * Greets the proxy (no auth, or RFC 1929 with `auth`), asks UDP ASSOCIATE with DST 0.0.0.0:0 (the
 * client does not say where it sends from) and opens a UDP socket to talk to the relay it names.
 */
export async function associate(
  proxy: { host: string; port: number },
  auth?: { username: string; password: string },
): Promise<Socks5UdpAssociation> {
  const control = await connectTo(proxy);
  if (auth === undefined) {
    control.socket.write(Buffer.from([5, 1, 0]));
    if ((await control.read(2))[1] !== 0) throw new Error('no-auth method refused');
  } else {
    control.socket.write(Buffer.from([5, 1, 2]));
    if ((await control.read(2))[1] !== 2) throw new Error('user/pass method refused');
    const user = Buffer.from(auth.username);
    const pass = Buffer.from(auth.password);
    control.socket.write(Buffer.concat([Buffer.from([1, user.length]), user, Buffer.from([pass.length]), pass]));
    if ((await control.read(2))[1] !== 0) throw new Error('credentials refused');
  }
  control.socket.write(Buffer.concat([Buffer.from([5, 3, 0]), addressBlock('0.0.0.0', 0)]));
  const head = await control.read(4);
  const raw = await control.read(head[3] === 4 ? 18 : 6);
  const relayHost = head[3] === 4 ? 'IPv6' : raw.subarray(0, 4).join('.');
  const relayPort = raw.readUInt16BE(raw.length - 2);
  const inbox = await UdpInbox.open();
  return {
    control,
    rep: head[1] ?? -1,
    relayHost,
    relayPort,
    inbox,
    sendTo: (host, port, data, frag = 0) => inbox.send(clientDatagram(host, port, data, frag), relayPort, relayHost),
    reply: async (index) => readRelayed(await inbox.nth(index)),
    close: async () => {
      control.socket.destroy();
      await inbox.close();
    },
  };
}

/** Waits `ms` so that a datagram that was going to arrive has had every chance to (loopback). */
export function settle(ms = 100): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
