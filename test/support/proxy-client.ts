import { request, type Agent, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';

/** Where a proxy under test listens. */
export interface ProxyAddress {
  readonly host: string;
  readonly port: number;
}

/** A response read through a proxy, gathered whole (test bodies are small). */
export interface ProxiedResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** False when the connection ended before the body was complete. */
  readonly complete: boolean;
  /** Whether node's agent sent this request on a connection it had used before. */
  readonly reusedSocket: boolean;
  readonly socket: Socket;
}

/** `Basic …` for a Proxy-Authorization header. */
export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** Sends one absolute-form request (`url`) to the proxy and reads the whole response. */
export function requestViaProxy(
  proxy: ProxyAddress,
  url: string,
  init: { method?: string; headers?: OutgoingHttpHeaders; body?: Buffer; agent?: Agent } = {},
): Promise<ProxiedResponse> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: proxy.host,
      port: proxy.port,
      method: init.method ?? 'GET',
      path: url,
      headers: init.headers,
      agent: init.agent ?? false,
    });
    req.once('error', reject);
    req.once('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (chunk: Buffer) => parts.push(chunk));
      res.on('error', () => {});
      res.once('close', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(parts),
          complete: res.complete,
          reusedSocket: req.reusedSocket,
          socket: res.socket,
        }),
      );
    });
    req.end(init.body);
  });
}

/** Buffers a socket's bytes so a test can read exact amounts, as a protocol client does. */
export class SocketReader {
  private buffered = Buffer.alloc(0);
  private ended = false;
  private wake: () => void = () => {};

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.wake();
    });
    socket.on('error', () => {});
    // 'end' is the peer's FIN: nothing more will arrive, even while our side stays open.
    const end = (): void => {
      this.ended = true;
      this.wake();
    };
    socket.once('end', end);
    socket.once('close', end);
  }

  /** The next `bytes` bytes; rejects if the peer ends the connection first. */
  read(bytes: number): Promise<Buffer> {
    return this.take(() => (this.buffered.length >= bytes ? bytes : undefined));
  }

  /** Everything up to and including `marker`; rejects if the peer ends the connection first. */
  readUntil(marker: string): Promise<Buffer> {
    return this.take(() => {
      const at = this.buffered.indexOf(marker);
      return at < 0 ? undefined : at + marker.length;
    });
  }

  /** Whatever arrives until the peer ends (or resets) the connection. */
  async rest(): Promise<Buffer> {
    while (!this.ended) await new Promise<void>((resolve) => (this.wake = resolve));
    return this.buffered;
  }

  /** True when nothing arrived and the connection stayed open for `ms` milliseconds. */
  async staysSilent(ms: number): Promise<boolean> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return this.buffered.length === 0 && !this.ended;
  }

  private async take(available: () => number | undefined): Promise<Buffer> {
    for (;;) {
      const bytes = available();
      if (bytes !== undefined) {
        const out = this.buffered.subarray(0, bytes);
        this.buffered = this.buffered.subarray(bytes);
        return out;
      }
      if (this.ended) throw new Error(`connection closed with ${this.buffered.length} bytes unread`);
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

/** Opens a TCP connection to `address`, with a reader on it. */
export function connectTo(address: ProxyAddress): Promise<SocketReader> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address.host, port: address.port, allowHalfOpen: true });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(new SocketReader(socket));
    });
  });
}

/** Sends `CONNECT authority` (plus extra header lines) and reads the proxy's reply head. */
export async function connectThrough(
  proxy: ProxyAddress,
  authority: string,
  headerLines: readonly string[] = [],
): Promise<{ status: number; head: string; reader: SocketReader }> {
  const reader = await connectTo(proxy);
  const extra = headerLines.map((line) => `${line}\r\n`).join('');
  reader.socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${extra}\r\n`);
  const head = (await reader.readUntil('\r\n\r\n')).toString('latin1');
  return { status: Number(head.split(' ')[1]), head, reader };
}
