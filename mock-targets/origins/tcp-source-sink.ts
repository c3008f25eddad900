import { createServer, type Socket } from 'node:net';
import {
  StreamVerifier,
  StreamWireError,
  formatStreamVerdict,
  parseStreamHeader,
  upStreamSeed,
  type StreamHeader,
  type StreamVerdictLine,
} from '../../core/origin-wire/stream-contract.js';
import { writeStream } from '../../core/origin-wire/stream-writer.js';
import { listenOn } from './listen-on.js';

/** Counters of a TCP source/sink since it started. */
export interface SourceSinkStats {
  /** Connections whose header was read. */
  readonly streams: number;
  /** Down-stream bytes handed to sockets (written, not necessarily delivered yet). */
  readonly bytesSent: number;
  /** Up-stream bytes checked. */
  readonly bytesChecked: number;
}

/** A TCP source/sink target that is listening. */
export interface RunningTcpSourceSink {
  readonly host: string;
  readonly port: number;
  stats(): SourceSinkStats;
  /** Closes the server and every open connection; resolves when closed. */
  close(): Promise<void>;
}

interface Counters {
  streams: number;
  bytesSent: number;
  bytesChecked: number;
}

/**
 * Starts the TCP source/sink of the stream contract (core/origin-wire/stream-contract.ts): after a
 * `PBSTREAM` header it sends, checks, or both. Defaults: 127.0.0.1, any free port. Rejects with
 * SetupError when it cannot listen. It sets no timeouts: how long a stream may take is the client's
 * business, as with the HTTP origin.
 */
export async function startTcpSourceSink(options: { host?: string; port?: number } = {}): Promise<RunningTcpSourceSink> {
  const host = options.host ?? '127.0.0.1';
  const sockets = new Set<Socket>();
  const counters: Counters = { streams: 0, bytesSent: 0, bytesChecked: 0 };
  // allowHalfOpen: in `down` and `both` the client may end its side while its download still flows.
  const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // A client that resets is normal under load; without a listener the error would be thrown.
    socket.on('error', () => socket.destroy());
    readHeader(socket, counters);
  });
  const port = await listenOn(server, host, options.port ?? 0, 'TCP source/sink');
  let closing: Promise<void> | undefined;
  return {
    host,
    port,
    stats: () => ({ ...counters }),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

/** Gathers the header line (it may arrive in pieces), then starts the stream it asks for. */
function readHeader(socket: Socket, counters: Counters): void {
  let pending: Buffer = Buffer.alloc(0);
  const onData = (chunk: Buffer): void => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let parsed: ReturnType<typeof parseStreamHeader>;
    try {
      parsed = parseStreamHeader(pending);
    } catch (err) {
      if (!(err instanceof StreamWireError)) throw err;
      socket.off('data', onData);
      finishWith(socket, { kind: 'bad', offset: 0, reason: 'header' });
      return;
    }
    if (parsed === undefined) return;
    socket.off('data', onData);
    counters.streams++;
    serveStream(socket, parsed.value, pending.subarray(parsed.lineBytes), counters);
  };
  socket.on('data', onData);
  socket.once('end', () => {
    // The client ended before a whole header: nothing to answer, close our side too.
    if (socket.listeners('data').includes(onData)) socket.end();
  });
}

/** Runs one stream: the down sender and the up checker each on their own, the verdict after both. */
function serveStream(socket: Socket, header: StreamHeader, early: Buffer, counters: Counters): void {
  const sends = header.direction !== 'up';
  const checks = header.direction !== 'down';
  const verdict = checks ? checkUpStream(socket, header, early, counters) : discardInput(socket);
  const sent = sends ? sendDownStream(socket, header, counters) : Promise.resolve(true);
  void Promise.all([sent, verdict]).then(([delivered, line]) => {
    if (!delivered || socket.destroyed) return;
    if (line === undefined) socket.end();
    else finishWith(socket, line);
  });
}

/** Writes the down stream, waiting for 'drain' whenever the socket's buffer is full; false if it closed. */
async function sendDownStream(socket: Socket, header: StreamHeader, counters: Counters): Promise<boolean> {
  const whole = await writeStream(socket, header.seed, header.bytes, (chunkBytes) => (counters.bytesSent += chunkBytes));
  return whole && !socket.destroyed;
}

/**
 * Checks the up stream as it arrives, from `early` (bytes that came with the header) on, and
 * resolves with the verdict line as soon as it is known. Nothing is kept but a count.
 */
function checkUpStream(socket: Socket, header: StreamHeader, early: Buffer, counters: Counters): Promise<StreamVerdictLine> {
  const verifier = new StreamVerifier(upStreamSeed(header), header.bytes);
  return new Promise((resolve) => {
    const judge = (chunk: Buffer): boolean => {
      // Only the announced bytes are judged; anything after them is read and dropped.
      const judged = chunk.subarray(0, header.bytes - verifier.received);
      counters.bytesChecked += judged.length;
      verifier.update(judged);
      const failure = verifier.failed;
      if (failure !== undefined) resolve({ kind: 'bad', offset: failure.offset, reason: 'mismatch' });
      else if (verifier.complete) resolve({ kind: 'ok', bytes: header.bytes });
      else return false;
      return true;
    };
    if (judge(early)) {
      socket.resume();
      return;
    }
    const onData = (chunk: Buffer): void => {
      if (judge(chunk)) socket.off('data', onData).on('data', () => {});
    };
    socket.on('data', onData);
    socket.once('end', () => {
      if (socket.listeners('data').includes(onData)) resolve({ kind: 'bad', offset: verifier.received, reason: 'truncated' });
    });
  });
}

/** In `down` the client's bytes mean nothing: they are read and dropped so they never pile up. */
function discardInput(socket: Socket): Promise<undefined> {
  socket.on('data', () => {});
  return Promise.resolve(undefined);
}

/**
 * Sends the verdict line and ends our side. Whatever the client still sends is read and dropped;
 * the socket closes once the client ends its side too.
 */
function finishWith(socket: Socket, line: StreamVerdictLine): void {
  socket.resume();
  socket.end(formatStreamVerdict(line));
}
