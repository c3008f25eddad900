import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import {
  StreamVerifier,
  formatStreamHeader,
  parseStreamVerdict,
  streamChunks,
  upStreamSeed,
  type StreamHeader,
  type StreamVerdict,
  type StreamVerdictLine,
} from '../../core/origin-wire/stream-contract.js';

/** What a client of the TCP source/sink saw. */
export interface StreamResult {
  /** The down stream checked byte for byte (undefined in `up`, where none is expected). */
  readonly down: StreamVerdict | undefined;
  /** The verdict line the target sent (undefined when it sent none, as in `down`). */
  readonly verdict: StreamVerdictLine | undefined;
  /** Bytes after the down stream (the verdict line, and anything else the target sent). */
  readonly tail: Buffer;
}

/** How the client behaves. */
export interface StreamClientOptions {
  /** What to send after the header instead of the up stream the contract asks for. */
  readonly upload?: Iterable<Uint8Array>;
  /** End our side once the upload is written (default: keep it open, the contract does not need it). */
  readonly endAfterUpload?: boolean;
  /** Send the header one byte per write, as if every byte were its own TCP segment. */
  readonly headerByteByByte?: boolean;
  /** Replace the header line (for malformed headers). */
  readonly rawHeader?: Buffer;
}

/**
 * Runs one stream against the TCP source/sink at `address`: sends the header (and the up stream
 * of {@link upStreamSeed} unless `upload` says otherwise, honouring backpressure), checks every down
 * byte with the contract's verifier as it arrives, and resolves when the target ends the connection.
 */
export async function runStream(address: { host: string; port: number }, header: StreamHeader, options: StreamClientOptions = {}): Promise<StreamResult> {
  // Half-open capable: the target may end its side (verdict sent) while our upload is still going.
  const socket = connect({ host: address.host, port: address.port, noDelay: true, allowHalfOpen: true });
  await once(socket, 'connect');
  const downBytes = header.direction === 'up' ? 0 : header.bytes;
  const verifier = header.direction === 'up' ? undefined : new StreamVerifier(header.seed, header.bytes);
  const tail: Buffer[] = [];
  let seen = 0;
  socket.on('data', (chunk: Buffer) => {
    const down = Math.max(0, Math.min(chunk.length, downBytes - seen));
    verifier?.update(chunk.subarray(0, down));
    if (down < chunk.length) tail.push(chunk.subarray(down));
    seen += chunk.length;
  });
  const ended = once(socket, 'end');
  const head = options.rawHeader ?? Buffer.from(formatStreamHeader(header), 'latin1');
  if (options.headerByteByByte) {
    for (const byte of head) await new Promise<void>((resolve) => socket.write(Buffer.from([byte]), () => setImmediate(resolve)));
  } else socket.write(head);
  if (header.direction !== 'down' || options.upload !== undefined) {
    await writeAll(socket, options.upload ?? streamChunks(upStreamSeed(header), 0, header.bytes));
  }
  if (options.endAfterUpload) socket.end();
  await ended;
  socket.destroy();
  const tailBytes = Buffer.concat(tail);
  const verdict = tailBytes.length > 0 ? parseStreamVerdict(tailBytes)?.value : undefined;
  return { down: verifier?.finish(), verdict, tail: tailBytes };
}

/** Writes every chunk, waiting for 'drain' when the socket's buffer is full; stops if it closes. */
export async function writeAll(socket: Socket, chunks: Iterable<Uint8Array>): Promise<void> {
  for (const chunk of chunks) {
    if (socket.destroyed || socket.writableEnded) return;
    if (!socket.write(chunk)) {
      await Promise.race([once(socket, 'drain'), once(socket, 'close')]);
    }
  }
}

/** The up stream of `seed` (`bytes` long) with the byte at `offset` flipped. */
export function* corruptedStream(seed: number, bytes: number, offset: number): Generator<Uint8Array> {
  let at = 0;
  for (const chunk of streamChunks(seed, 0, bytes)) {
    if (offset >= at && offset < at + chunk.length) {
      const copy = Buffer.from(chunk);
      copy[offset - at] = (copy[offset - at] ?? 0) ^ 0xff;
      yield copy;
    } else yield chunk;
    at += chunk.length;
  }
}
