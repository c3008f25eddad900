import {
  MAX_STREAM_VERDICT_BYTES,
  parseStreamVerdict,
  StreamVerifier,
  StreamWireError,
  type StreamDirection,
  type StreamVerdictLine,
} from '../../../core/origin-wire/stream-contract.js';
import { TransportFailure } from '../transport-failure.js';

/**
 * What the TCP source/sink sends back in one `tcp-bulk` exchange (docs/targets.md): the down
 * stream (in `down` and `both`), checked byte by byte as it arrives and never kept, then the verdict
 * line on the up stream (in `up` and `both`), then its FIN. Every way the answer can be wrong is an
 * `integrity` failure thrown from {@link BulkAnswer.consume}: a wrong down byte, bytes past the
 * down stream where none are due, a verdict line that cannot be read or that refuses the upload
 * (a mismatch, or an upload the target saw end early: the proxy changed or lost bytes on the way
 * up), bytes after the verdict.
 */
export class BulkAnswer {
  private readonly down: StreamVerifier | undefined;
  private readonly expectsVerdict: boolean;
  private verdictBytes: Buffer = Buffer.alloc(0);
  private verdictLine: StreamVerdictLine | undefined;

  /**
   * @param seed the down stream's seed
   * @param bytes bytes each stream carries
   */
  constructor(
    seed: number,
    private readonly bytes: number,
    direction: StreamDirection,
  ) {
    this.down = direction === 'up' ? undefined : new StreamVerifier(seed, bytes);
    this.expectsVerdict = direction !== 'down';
  }

  /** Down-stream bytes that arrived and matched: the exchange's payload in, bytes. */
  get downBytes(): number {
    return this.down?.received ?? 0;
  }

  /** True once everything due arrived and matched: the whole down stream and an `OK` verdict. */
  get complete(): boolean {
    return (this.down?.complete ?? true) && (!this.expectsVerdict || this.verdictLine !== undefined);
  }

  /** Takes the next chunk; throws an `integrity` TransportFailure as soon as the answer is wrong. */
  consume(chunk: Buffer): void {
    const rest = this.down ? this.feedDown(this.down, chunk) : chunk;
    if (rest.length === 0) return;
    if (!this.expectsVerdict || this.verdictLine !== undefined) {
      throw new TransportFailure('integrity', `${rest.length} more bytes arrived after the ${this.expectsVerdict ? 'verdict line' : `${this.bytes} bytes of the down stream`}`);
    }
    this.feedVerdict(rest);
  }

  /** Checks the down part of `chunk`; returns what follows the down stream. */
  private feedDown(down: StreamVerifier, chunk: Buffer): Buffer {
    const before = down.received;
    const ownBytes = Math.min(chunk.length, this.bytes - before);
    if (!down.update(chunk.subarray(0, ownBytes))) {
      throw new TransportFailure('integrity', `the down stream differs from the target's at byte ${down.failed?.offset ?? before}`);
    }
    return chunk.subarray(ownBytes);
  }

  private feedVerdict(part: Buffer): void {
    this.verdictBytes = this.verdictBytes.length === 0 ? part : Buffer.concat([this.verdictBytes, part]);
    let parsed: ReturnType<typeof parseStreamVerdict>;
    try {
      parsed = parseStreamVerdict(this.verdictBytes);
    } catch (err) {
      if (!(err instanceof StreamWireError)) throw err;
      throw new TransportFailure('integrity', `the target's verdict line is unreadable (${err.reason}, within ${MAX_STREAM_VERDICT_BYTES} bytes)`);
    }
    if (parsed === undefined) return;
    const line = parsed.value;
    if (line.kind === 'bad') throw new TransportFailure('integrity', refusal(line));
    if (line.bytes !== this.bytes) throw new TransportFailure('integrity', `the target verified ${line.bytes} upload bytes, ${this.bytes} were sent`);
    const after = this.verdictBytes.length - parsed.lineBytes;
    if (after > 0) throw new TransportFailure('integrity', `${after} more bytes arrived after the verdict line`);
    this.verdictLine = line;
  }
}

/** The detail for a `BAD` verdict: what the target saw of the upload. */
function refusal(line: Extract<StreamVerdictLine, { kind: 'bad' }>): string {
  switch (line.reason) {
    case 'mismatch':
      return `the target found upload byte ${line.offset} wrong (BAD ${line.offset} mismatch)`;
    case 'truncated':
      return `the target saw the upload end after ${line.offset} bytes (BAD ${line.offset} truncated)`;
    case 'header':
      return 'the target could not read the stream header (BAD 0 header)';
  }
}
