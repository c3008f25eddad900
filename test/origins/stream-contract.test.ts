import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_STREAM_BYTES,
  MAX_STREAM_HEADER_BYTES,
  MAX_STREAM_SEED,
  StreamVerifier,
  StreamWireError,
  formatStreamHeader,
  formatStreamVerdict,
  parseStreamHeader,
  parseStreamVerdict,
  readUdpProbe,
  streamBytes,
  streamChunks,
  udpProbe,
  upStreamSeed,
  type StreamHeader,
  type StreamVerdictLine,
} from '../../core/origin-wire/stream-contract.js';

const arbitraryHeader: fc.Arbitrary<StreamHeader> = fc.record({
  direction: fc.constantFrom('down' as const, 'up' as const, 'both' as const),
  bytes: fc.oneof(fc.nat(), fc.constant(MAX_STREAM_BYTES), fc.integer({ min: 0, max: MAX_STREAM_BYTES })),
  seed: fc.oneof(fc.constant(0), fc.constant(MAX_STREAM_SEED), fc.integer({ min: 0, max: MAX_STREAM_SEED })),
});

/** Splits `bytes` at the given cut points (taken modulo its length), in order. */
function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const ends = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const end of [...ends, bytes.length]) {
    pieces.push(bytes.subarray(from, end));
    from = end;
  }
  return pieces;
}

describe('the stream header', () => {
  it('reads back every header it formats, leaving the bytes after it to the stream', () => {
    fc.assert(
      fc.property(arbitraryHeader, fc.uint8Array({ maxLength: 32 }), (header, after) => {
        const line = Buffer.from(formatStreamHeader(header), 'latin1');
        expect(line.length).toBeLessThanOrEqual(MAX_STREAM_HEADER_BYTES);
        expect(parseStreamHeader(Buffer.concat([line, after]))).toEqual({ value: header, lineBytes: line.length });
      }),
    );
  });

  it('answers "not yet" for every proper prefix of a valid header', () => {
    fc.assert(
      fc.property(arbitraryHeader, fc.nat(), (header, cut) => {
        const line = Buffer.from(formatStreamHeader(header), 'latin1');
        expect(parseStreamHeader(line.subarray(0, cut % line.length))).toBeUndefined();
      }),
    );
  });

  it('never throws anything but a StreamWireError, whatever the bytes', () => {
    const nearHeader = fc
      .tuple(fc.constantFrom('PBSTREAM ', 'PBSTREAM down ', 'PBSTREAM both 1 ', ''), fc.string({ maxLength: 80 }), fc.constantFrom('', '\n'))
      .map(([prefix, middle, end]) => Buffer.from(prefix + middle + end, 'latin1'));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 100 }).map((b) => Buffer.from(b)), nearHeader), (bytes) => {
        try {
          const parsed = parseStreamHeader(bytes);
          // Whatever was accepted must be a header the contract allows, and its line must end in \n.
          if (parsed !== undefined) {
            expect(['down', 'up', 'both']).toContain(parsed.value.direction);
            expect(Number.isSafeInteger(parsed.value.bytes) && parsed.value.bytes >= 0).toBe(true);
            expect(parsed.value.seed).toBeLessThanOrEqual(MAX_STREAM_SEED);
            expect(bytes[parsed.lineBytes - 1]).toBe(0x0a);
            expect(formatStreamHeader(parsed.value)).toBe(bytes.subarray(0, parsed.lineBytes).toString('latin1'));
          }
        } catch (err) {
          expect(err).toBeInstanceOf(StreamWireError);
        }
      }),
    );
  });

  it.each([
    ['an unknown direction', 'PBSTREAM sideways 10 1\n'],
    ['a leading zero', 'PBSTREAM down 010 1\n'],
    ['a sign', 'PBSTREAM down +10 1\n'],
    ['a seed above 2^32 - 1', 'PBSTREAM down 10 4294967296\n'],
    ['bytes above 2^53 - 1', 'PBSTREAM down 9007199254740992 1\n'],
    ['a missing seed', 'PBSTREAM up 10\n'],
    ['an extra word', 'PBSTREAM up 10 1 2\n'],
    ['a double space', 'PBSTREAM up  10 1\n'],
    ['a CR before the LF', 'PBSTREAM up 10 1\r\n'],
    ['an HTTP request, at its first byte', 'G'],
  ])('refuses %s as malformed', (_name, text) => {
    const error = (() => {
      try {
        parseStreamHeader(Buffer.from(text, 'latin1'));
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(StreamWireError);
    expect((error as StreamWireError).reason).toBe('malformed');
  });

  it('refuses a line with no end within the bound as too long', () => {
    const long = Buffer.from(`PBSTREAM down ${'1'.repeat(MAX_STREAM_HEADER_BYTES)}`, 'latin1');
    expect(() => parseStreamHeader(long.subarray(0, MAX_STREAM_HEADER_BYTES - 1))).not.toThrow();
    expect(() => parseStreamHeader(long)).toThrow(expect.objectContaining({ reason: 'too-long' }));
  });

  it('seeds the up stream of `both` with seed + 1, wrapping at 2^32', () => {
    expect(upStreamSeed({ direction: 'both', bytes: 1, seed: 41 })).toBe(42);
    expect(upStreamSeed({ direction: 'both', bytes: 1, seed: MAX_STREAM_SEED })).toBe(0);
    expect(upStreamSeed({ direction: 'up', bytes: 1, seed: 41 })).toBe(41);
  });
});

describe('the verdict line', () => {
  it('reads back every verdict it formats', () => {
    const verdict: fc.Arbitrary<StreamVerdictLine> = fc.oneof(
      fc.record({ kind: fc.constant('ok' as const), bytes: fc.integer({ min: 0, max: MAX_STREAM_BYTES }) }),
      fc.record({ kind: fc.constant('bad' as const), offset: fc.integer({ min: 0, max: MAX_STREAM_BYTES }), reason: fc.constantFrom('mismatch' as const, 'truncated' as const, 'header' as const) }),
    );
    fc.assert(
      fc.property(verdict, (v) => {
        const line = Buffer.from(formatStreamVerdict(v), 'latin1');
        expect(parseStreamVerdict(line)).toEqual({ value: v, lineBytes: line.length });
      }),
    );
  });

  it('refuses a verdict the contract does not define', () => {
    expect(() => parseStreamVerdict(Buffer.from('BAD 3 wrong\n'))).toThrow(StreamWireError);
    expect(parseStreamVerdict(Buffer.from('OK 12'))).toBeUndefined();
  });
});

describe('stream bytes and the verifier', () => {
  it('makes the same bytes for an offset whatever slice they are cut in', () => {
    const whole = streamBytes(7, 0, 200_000);
    expect(streamBytes(7, 65_530, 20).equals(whole.subarray(65_530, 65_550))).toBe(true);
    expect(streamBytes(7, 131_072, 5).equals(whole.subarray(131_072, 131_077))).toBe(true);
    expect(streamBytes(8, 0, 64).equals(whole.subarray(0, 64))).toBe(false);
  });

  it('finds the exact offset of the first wrong byte however the stream is chunked', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 150_000 }), fc.nat(), fc.array(fc.nat(), { maxLength: 8 }), (length, where, cuts) => {
        const offset = where % length;
        const bytes = Buffer.from(streamBytes(3, 0, length));
        bytes[offset] = (bytes[offset] ?? 0) ^ 0x01;
        const verifier = new StreamVerifier(3, length);
        for (const piece of split(bytes, cuts)) verifier.update(piece);
        expect(verifier.finish()).toEqual({ kind: 'mismatch', offset });
      }),
      { numRuns: 60 },
    );
  });

  it('accepts the exact stream, and says truncated or overlong when the length is wrong', () => {
    const bytes = streamBytes(5, 0, 100_000);
    const ok = new StreamVerifier(5, 100_000);
    for (const chunk of streamChunks(5, 0, 100_000)) ok.update(chunk);
    expect(ok.finish()).toEqual({ kind: 'ok', bytes: 100_000 });

    const short = new StreamVerifier(5, 100_000);
    short.update(bytes.subarray(0, 99_999));
    expect(short.finish()).toEqual({ kind: 'truncated', offset: 99_999 });

    const long = new StreamVerifier(5, 99_000);
    expect(long.update(bytes)).toBe(false);
    expect(long.finish()).toEqual({ kind: 'overlong', offset: 99_000 });
  });

  it('checks TCP echo messages one by one: message i of N bytes is the stream at offset i·N', () => {
    const n = 1000;
    const messages = [0, 1, 2, 3].map((i) => streamBytes(9, i * n, n));
    const whole = new StreamVerifier(9, 4 * n);
    for (const message of messages) expect(whole.update(message)).toBe(true);
    expect(whole.complete).toBe(true);
    const third = new StreamVerifier(9, n, 2 * n);
    expect(third.update(messages[1] as Buffer)).toBe(false);
  });
});

describe('UDP probes', () => {
  it('read back their sequence number, and a changed byte, seed or size reads as corrupt', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 8, max: 1400 }), fc.nat(), (sequence, size, where) => {
        const probe = udpProbe(11, sequence, size);
        expect(probe.length).toBe(size);
        expect(probe.readBigUInt64BE(0)).toBe(BigInt(sequence));
        expect(readUdpProbe(11, probe)).toEqual({ kind: 'probe', sequence });
        const bad = Buffer.from(probe);
        bad[where % size] = (bad[where % size] ?? 0) ^ 0x80;
        const reading = readUdpProbe(11, bad);
        // A flipped sequence byte may name another probe; it still must not read as this one.
        expect(reading).not.toEqual({ kind: 'probe', sequence });
        if (size > 8) expect(readUdpProbe(12, probe)).toEqual({ kind: 'corrupt' });
      }),
      { numRuns: 200 },
    );
  });

  it('reads a datagram shorter than the sequence, or numbered past the stream, as corrupt', () => {
    expect(readUdpProbe(1, Buffer.alloc(7))).toEqual({ kind: 'corrupt' });
    const far = Buffer.alloc(1000);
    far.writeBigUInt64BE(2n ** 63n, 0);
    expect(readUdpProbe(1, far)).toEqual({ kind: 'corrupt' });
  });
});
