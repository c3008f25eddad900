import { BODY_BLOCK_BYTES, bodyBlock } from './deterministic-body.js';

/**
 * The wire contract of the stream targets (docs/targets.md): what a client sends to the TCP
 * source/sink, the TCP echo, the WebSocket echo and the UDP echo, what they answer, and the helpers
 * both sides use to make and check the bytes without holding them whole.
 *
 * **Stream bytes.** Every byte a client or a target sends is taken from the *stream* of a seed: the
 * deterministic body (deterministic-body.ts) of {@link STREAM_SPAN_BYTES} bytes for that seed. Its
 * bytes depend only on (seed, offset), so the first n bytes of a stream are the same whatever n is,
 * any slice can be made on its own, and a slice cut short, shifted or taken from another seed never
 * matches. {@link streamChunks} makes a slice, {@link StreamVerifier} checks one as it arrives.
 *
 * **TCP source/sink.** The client connects and sends one header line, {@link formatStreamHeader}:
 * `PBSTREAM <direction> <bytes> <seed>\n` (ASCII, single spaces, numbers in canonical decimal —
 * no sign, no leading zero —, at most {@link MAX_STREAM_HEADER_BYTES} bytes, `\n` included).
 * - `down`: the target sends stream bytes [0, bytes) of `seed`, then ends its side (FIN). Whatever
 *   the client sends after the header is read and discarded.
 * - `up`: the client sends stream bytes [0, bytes) of `seed` right after the header. The target
 *   checks them as they arrive and answers one verdict line as soon as it knows it: `OK <bytes>\n`
 *   once `bytes` bytes matched, or `BAD <offset> mismatch\n` at the first wrong byte (its offset in
 *   the up stream), or `BAD <offset> truncated\n` when the client ends its side after `offset` <
 *   `bytes` bytes. Then it ends its side. The client need not end its side first. Bytes past the
 *   first `bytes` are read and discarded, never judged.
 * - `both`: both at once and independently: the target sends the down stream of `seed` while the
 *   client sends the up stream of {@link upStreamSeed}(seed) (seed + 1, so the two directions
 *   never carry the same bytes and a reflecting middlebox is caught). After the last down byte the
 *   target sends the verdict line of the up stream, as in `up`, then ends its side.
 * A header the target cannot parse is answered `BAD 0 header\n`, then the target ends its side.
 *
 * **TCP echo.** Every byte is sent back. Clients send messages made of stream bytes: message i of
 * N bytes (i = 0, 1, …) is `streamBytes(seed, i·N, N)`, so each echo is checked on its own, or the
 * echoed stream as a whole with one {@link StreamVerifier}.
 *
 * **WebSocket echo** (`ws://host:port/echo`, `wss://` with the test CA): every text or binary
 * message is sent back unchanged with its own opcode; no compression is negotiated (so bytes on the
 * wire are the message's), messages are limited to {@link MAX_WEBSOCKET_MESSAGE_BYTES}. Binary
 * messages follow the TCP echo's rule (message i of N bytes = stream bytes at offset i·N).
 *
 * **UDP echo.** Every datagram is sent back to the address and port it came from, unchanged.
 * Clients make datagrams with {@link udpProbe}: the first {@link UDP_SEQUENCE_BYTES} bytes are a
 * big-endian sequence number, the rest stream bytes of the seed; {@link readUdpProbe} reads one
 * back, so loss, reordering and duplicates can be counted and corruption seen.
 */

/** Length of the stream every slice is cut from: the largest the deterministic body can describe. */
export const STREAM_SPAN_BYTES = Number.MAX_SAFE_INTEGER;
/** Largest `bytes` a header may ask for. */
export const MAX_STREAM_BYTES = STREAM_SPAN_BYTES;
/** Largest seed: the deterministic body takes seeds as unsigned 32-bit integers. */
export const MAX_STREAM_SEED = 0xffff_ffff;
/** Longest header line the target reads, in bytes, `\n` included; a longer one is an error. */
export const MAX_STREAM_HEADER_BYTES = 64;
/** First word of the header line. */
export const STREAM_HEADER_MAGIC = 'PBSTREAM';
/** Longest verdict line (`OK …` / `BAD …`), in bytes, `\n` included. */
export const MAX_STREAM_VERDICT_BYTES = 64;

/** Path of the WebSocket echo; any other path is answered 404. */
export const WEBSOCKET_ECHO_PATH = '/echo';
/** Largest WebSocket message the echo accepts, in bytes; a larger one closes with 1009. */
export const MAX_WEBSOCKET_MESSAGE_BYTES = 64 * 1024 * 1024;
/** Bytes of the big-endian sequence number that starts every UDP probe. */
export const UDP_SEQUENCE_BYTES = 8;

/** Who sends: the target (`down`), the client (`up`), or both at once. */
export type StreamDirection = 'down' | 'up' | 'both';
const DIRECTIONS: readonly StreamDirection[] = ['down', 'up', 'both'];

/** What a client asks of the TCP source/sink. */
export interface StreamHeader {
  readonly direction: StreamDirection;
  /** Bytes each stream carries, 0 to {@link MAX_STREAM_BYTES}. */
  readonly bytes: number;
  /** Seed of the down stream; the up stream uses {@link upStreamSeed} of it in `both`. */
  readonly seed: number;
}

/** Bytes that break the contract: `too-long` (no `\n` within the bound) or `malformed`. */
export class StreamWireError extends Error {
  constructor(
    readonly reason: 'too-long' | 'malformed',
    message: string,
  ) {
    super(message);
    this.name = 'StreamWireError';
  }
}

/** Seed of the up stream for a header's seed in `up` (the seed itself) and `both` (seed + 1, wrapping). */
export function upStreamSeed(header: StreamHeader): number {
  return header.direction === 'both' ? (header.seed + 1) >>> 0 : header.seed;
}

/** The header line for `header`, `\n` included. */
export function formatStreamHeader(header: StreamHeader): string {
  return `${STREAM_HEADER_MAGIC} ${header.direction} ${header.bytes} ${header.seed}\n`;
}

/** A whole line read from the front of a buffer, and how many bytes it took (`\n` included). */
export interface ParsedLine<T> {
  readonly value: T;
  readonly lineBytes: number;
}

/**
 * Reads the header from the front of `buffer` (bytes after it are the client's stream). Returns
 * undefined while the line is incomplete; throws {@link StreamWireError} — and nothing else, for
 * any input — when the bytes cannot become a valid header.
 */
export function parseStreamHeader(buffer: Uint8Array): ParsedLine<StreamHeader> | undefined {
  const magic = `${STREAM_HEADER_MAGIC} `;
  for (let i = 0; i < Math.min(buffer.length, magic.length); i++) {
    if (buffer[i] !== magic.charCodeAt(i)) throw new StreamWireError('malformed', `stream header does not start with "${magic}"`);
  }
  const line = readLine(buffer, MAX_STREAM_HEADER_BYTES, 'stream header');
  if (line === undefined) return undefined;
  const words = line.text.split(' ');
  const direction = DIRECTIONS.find((d) => d === words[1]);
  const bytes = canonicalDecimal(words[2], MAX_STREAM_BYTES);
  const seed = canonicalDecimal(words[3], MAX_STREAM_SEED);
  if (words.length !== 4 || direction === undefined || bytes === undefined || seed === undefined) {
    throw new StreamWireError('malformed', 'stream header is not "PBSTREAM <down|up|both> <bytes> <seed>"');
  }
  return { value: { direction, bytes, seed }, lineBytes: line.lineBytes };
}

/** Why an up stream was refused: a wrong byte, an early end, or a header that could not be read. */
export type StreamFailureReason = 'mismatch' | 'truncated' | 'header';

/** The target's verdict on an up stream. `offset` is the up stream's offset the failure was seen at. */
export type StreamVerdictLine =
  | { readonly kind: 'ok'; readonly bytes: number }
  | { readonly kind: 'bad'; readonly offset: number; readonly reason: StreamFailureReason };
const REASONS: readonly StreamFailureReason[] = ['mismatch', 'truncated', 'header'];

/** The verdict line, `\n` included: `OK <bytes>\n` or `BAD <offset> <reason>\n`. */
export function formatStreamVerdict(verdict: StreamVerdictLine): string {
  return verdict.kind === 'ok' ? `OK ${verdict.bytes}\n` : `BAD ${verdict.offset} ${verdict.reason}\n`;
}

/** Reads a verdict line from the front of `buffer`; undefined while incomplete; throws StreamWireError. */
export function parseStreamVerdict(buffer: Uint8Array): ParsedLine<StreamVerdictLine> | undefined {
  const line = readLine(buffer, MAX_STREAM_VERDICT_BYTES, 'stream verdict');
  if (line === undefined) return undefined;
  const words = line.text.split(' ');
  const first = canonicalDecimal(words[1], MAX_STREAM_BYTES);
  if (words[0] === 'OK' && words.length === 2 && first !== undefined) return { value: { kind: 'ok', bytes: first }, lineBytes: line.lineBytes };
  const reason = REASONS.find((r) => r === words[2]);
  if (words[0] === 'BAD' && words.length === 3 && first !== undefined && reason !== undefined) {
    return { value: { kind: 'bad', offset: first, reason }, lineBytes: line.lineBytes };
  }
  throw new StreamWireError('malformed', 'stream verdict is not "OK <bytes>" or "BAD <offset> <reason>"');
}

/** The first `\n`-ended line of `buffer` within `maxBytes`, as latin1 text without the `\n`. */
function readLine(buffer: Uint8Array, maxBytes: number, what: string): { text: string; lineBytes: number } | undefined {
  const end = Math.min(buffer.length, maxBytes);
  for (let i = 0; i < end; i++) {
    if (buffer[i] === 0x0a) return { text: Buffer.from(buffer.buffer, buffer.byteOffset, i).toString('latin1'), lineBytes: i + 1 };
  }
  if (buffer.length >= maxBytes) throw new StreamWireError('too-long', `${what} has no end of line within ${maxBytes} bytes`);
  return undefined;
}

/** A canonical decimal (`0` or digits without a leading zero) no larger than `max`, else undefined. */
function canonicalDecimal(word: string | undefined, max: number): number | undefined {
  if (word === undefined || word.length === 0 || word.length > 16 || (word.length > 1 && word.charCodeAt(0) === 0x30)) return undefined;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
  }
  const n = Number(word);
  return n <= max ? n : undefined;
}

/**
 * Yields stream bytes [offset, offset + bytes) of `seed` as views of the generator's cached blocks
 * (no copy, at most one 64 KiB block made at a time): what a sender writes, honouring backpressure
 * between chunks. The views must not be modified.
 */
export function* streamChunks(seed: number, offset: number, bytes: number): Generator<Buffer> {
  if (!fitsInStream(offset, bytes)) throw new RangeError(`stream slice [${offset}, +${bytes}) is outside the stream`);
  let at = offset;
  const end = offset + bytes;
  while (at < end) {
    const block = Math.floor(at / BODY_BLOCK_BYTES);
    const within = at - block * BODY_BLOCK_BYTES;
    const n = Math.min(end - at, BODY_BLOCK_BYTES - within);
    yield bodyBlock(seed, STREAM_SPAN_BYTES, block).subarray(within, within + n);
    at += n;
  }
}

/** True when [offset, offset + bytes) are whole numbers within the stream's {@link STREAM_SPAN_BYTES}. */
export function fitsInStream(offset: number, bytes: number): boolean {
  return Number.isSafeInteger(offset) && Number.isSafeInteger(bytes) && offset >= 0 && bytes >= 0 && offset + bytes <= STREAM_SPAN_BYTES;
}

/** Stream bytes [offset, offset + bytes) of `seed` in one new Buffer: for messages and datagrams. */
export function streamBytes(seed: number, offset: number, bytes: number): Buffer {
  return Buffer.concat([...streamChunks(seed, offset, bytes)], bytes);
}

/** How a checked stream ended; `offset` is where the failure was seen, counted from the start offset. */
export type StreamVerdict =
  | { readonly kind: 'ok'; readonly bytes: number }
  /** The byte at `offset` differs from the stream's. */
  | { readonly kind: 'mismatch'; readonly offset: number }
  /** More than the expected bytes arrived; `offset` is the expected length (the first extra byte). */
  | { readonly kind: 'overlong'; readonly offset: number }
  /** The stream ended after `offset` bytes, fewer than expected. */
  | { readonly kind: 'truncated'; readonly offset: number };

/** A verdict that is not `ok`. */
export type StreamFault = Exclude<StreamVerdict, { readonly kind: 'ok' }>;

/**
 * Checks `expectedBytes` stream bytes of `seed` (from `startOffset`) chunk by chunk as they arrive,
 * with native memcmp, keeping only a count: the target checks uploads with it, and clients check
 * downloads and echoes. It finds the exact offset of the first wrong byte.
 */
export class StreamVerifier {
  private seen = 0;
  private failure: StreamFault | undefined;

  constructor(
    private readonly seed: number,
    private readonly expectedBytes: number,
    private readonly startOffset = 0,
  ) {
    if (!fitsInStream(startOffset, expectedBytes)) throw new RangeError(`stream slice [${startOffset}, +${expectedBytes}) is outside the stream`);
  }

  /** Bytes fed so far, the ones after a failure included. */
  get received(): number {
    return this.seen;
  }

  /** True once exactly the expected bytes arrived and all matched. */
  get complete(): boolean {
    return this.failure === undefined && this.seen === this.expectedBytes;
  }

  /** The failure found so far (mismatch or overlong), or undefined. */
  get failed(): StreamFault | undefined {
    return this.failure;
  }

  /** Feeds the next chunk; false as soon as the stream is known to be wrong. */
  update(chunk: Uint8Array): boolean {
    const before = this.seen;
    this.seen += chunk.length;
    if (this.failure !== undefined) return false;
    const judged = Math.min(chunk.length, this.expectedBytes - before);
    let at = 0;
    for (const expected of streamChunks(this.seed, this.startOffset + before, judged)) {
      const got = chunk.subarray(at, at + expected.length);
      if (Buffer.compare(got, expected) !== 0) {
        let i = 0;
        while (got[i] === expected[i]) i++;
        this.failure = { kind: 'mismatch', offset: before + at + i };
        return false;
      }
      at += expected.length;
    }
    if (judged < chunk.length) {
      this.failure = { kind: 'overlong', offset: this.expectedBytes };
      return false;
    }
    return true;
  }

  /** The verdict once the stream has ended. */
  finish(): StreamVerdict {
    if (this.failure !== undefined) return this.failure;
    if (this.seen < this.expectedBytes) return { kind: 'truncated', offset: this.seen };
    return { kind: 'ok', bytes: this.seen };
  }
}

/**
 * A UDP probe of `sizeBytes` (≥ {@link UDP_SEQUENCE_BYTES}): `sequence` as an unsigned 64-bit
 * big-endian integer, then stream bytes of `seed` at offset sequence·(sizeBytes − 8), so datagram
 * i carries the i-th slice of the stream and a datagram of another sequence or seed never matches.
 */
export function udpProbe(seed: number, sequence: number, sizeBytes: number): Buffer {
  const payload = sizeBytes - UDP_SEQUENCE_BYTES;
  if (!Number.isSafeInteger(sequence) || sequence < 0 || payload < 0) throw new RangeError('udpProbe: sequence must be a safe integer ≥ 0 and size ≥ 8');
  const probe = Buffer.allocUnsafe(sizeBytes);
  probe.writeBigUInt64BE(BigInt(sequence), 0);
  let at = UDP_SEQUENCE_BYTES;
  for (const chunk of streamChunks(seed, sequence * payload, payload)) at += chunk.copy(probe, at);
  return probe;
}

/** What a datagram that came back says: its sequence number, or that it is not a probe of `seed`. */
export type UdpProbeReading = { readonly kind: 'probe'; readonly sequence: number } | { readonly kind: 'corrupt' };

/** Reads a probe made by {@link udpProbe} with `seed`: its sequence when every byte is as made. */
export function readUdpProbe(seed: number, datagram: Uint8Array): UdpProbeReading {
  if (datagram.length < UDP_SEQUENCE_BYTES) return { kind: 'corrupt' };
  const view = Buffer.from(datagram.buffer, datagram.byteOffset, datagram.length);
  const sequence = view.readBigUInt64BE(0);
  if (sequence > BigInt(Number.MAX_SAFE_INTEGER)) return { kind: 'corrupt' };
  const payload = datagram.length - UDP_SEQUENCE_BYTES;
  // A sequence whose slice lies past the stream's end was not made by udpProbe.
  if (!fitsInStream(Number(sequence) * payload, payload)) return { kind: 'corrupt' };
  const verifier = new StreamVerifier(seed, payload, Number(sequence) * payload);
  verifier.update(view.subarray(UDP_SEQUENCE_BYTES));
  return verifier.complete ? { kind: 'probe', sequence: Number(sequence) } : { kind: 'corrupt' };
}
