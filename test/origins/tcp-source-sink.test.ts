import { once } from 'node:events';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SetupError } from '../../core/errors.js';
import { MAX_STREAM_SEED, formatStreamHeader, streamBytes, streamChunks } from '../../core/origin-wire/stream-contract.js';
import { startTcpSourceSink, type RunningTcpSourceSink } from '../../mock-targets/origins/tcp-source-sink.js';
import { corruptedStream, runStream } from '../support/stream-client.js';

const MiB = 1024 * 1024;

describe('the TCP source/sink', () => {
  let target: RunningTcpSourceSink;

  beforeAll(async () => {
    target = await startTcpSourceSink();
  });

  afterAll(async () => {
    await target.close();
  });

  it('sends a download of 3 MiB + 123 bytes that the shared verifier accepts byte for byte, then ends', async () => {
    const bytes = 3 * MiB + 123;
    const result = await runStream(target, { direction: 'down', bytes, seed: 17 });
    expect(result.down).toEqual({ kind: 'ok', bytes });
    expect(result.tail.length).toBe(0);
  });

  it('keeps sending after the client ended its side (half-close)', async () => {
    const result = await runStream(target, { direction: 'down', bytes: MiB, seed: 3 }, { endAfterUpload: true });
    expect(result.down).toEqual({ kind: 'ok', bytes: MiB });
  });

  it('ends at once for a download of 0 bytes', async () => {
    const result = await runStream(target, { direction: 'down', bytes: 0, seed: 3 });
    expect(result.down).toEqual({ kind: 'ok', bytes: 0 });
    expect(result.tail.length).toBe(0);
  });

  it('answers OK to an upload of 2 MiB + 7 bytes without the client ending its side', async () => {
    const result = await runStream(target, { direction: 'up', bytes: 2 * MiB + 7, seed: 5 });
    expect(result.tail.toString('latin1')).toBe(`OK ${2 * MiB + 7}\n`);
    expect(result.verdict).toEqual({ kind: 'ok', bytes: 2 * MiB + 7 });
  });

  it('answers BAD with the offset of a corrupted byte', async () => {
    const upload = corruptedStream(5, 2 * MiB, 1_000_003);
    const result = await runStream(target, { direction: 'up', bytes: 2 * MiB, seed: 5 }, { upload });
    expect(result.tail.toString('latin1')).toBe('BAD 1000003 mismatch\n');
  });

  it('answers BAD at offset 0 to an upload of another seed', async () => {
    const upload = streamChunks(6, 0, 4096);
    const result = await runStream(target, { direction: 'up', bytes: 4096, seed: 5 }, { upload });
    expect(result.verdict).toEqual({ kind: 'bad', offset: 0, reason: 'mismatch' });
  });

  it('answers BAD truncated when the client ends its side early', async () => {
    const upload = streamChunks(5, 0, 5000);
    const result = await runStream(target, { direction: 'up', bytes: 8000, seed: 5 }, { upload, endAfterUpload: true });
    expect(result.tail.toString('latin1')).toBe('BAD 5000 truncated\n');
  });

  it('judges only the announced bytes of an upload: bytes after them are read and dropped', async () => {
    const upload = [Buffer.concat([streamBytes(5, 0, 3000), Buffer.from('trailing junk')])];
    const result = await runStream(target, { direction: 'up', bytes: 3000, seed: 5 }, { upload });
    expect(result.tail.toString('latin1')).toBe('OK 3000\n');
  });

  it('runs both directions at once: the down stream, then the verdict on the up stream seeded seed + 1', async () => {
    const result = await runStream(target, { direction: 'both', bytes: 2 * MiB + 1, seed: 21 });
    expect(result.down).toEqual({ kind: 'ok', bytes: 2 * MiB + 1 });
    expect(result.tail.toString('latin1')).toBe(`OK ${2 * MiB + 1}\n`);
  });

  it('in both, refuses an up stream seeded like the down stream, and still sends the whole down stream', async () => {
    const upload = streamChunks(21, 0, MiB);
    const result = await runStream(target, { direction: 'both', bytes: MiB, seed: 21 }, { upload });
    expect(result.down).toEqual({ kind: 'ok', bytes: MiB });
    expect(result.verdict).toEqual({ kind: 'bad', offset: 0, reason: 'mismatch' });
  });

  it('in both, wraps the up seed from 2^32 - 1 to 0', async () => {
    const upload = streamChunks(0, 0, 10_000);
    const result = await runStream(target, { direction: 'both', bytes: 10_000, seed: MAX_STREAM_SEED }, { upload });
    expect(result.verdict).toEqual({ kind: 'ok', bytes: 10_000 });
  });

  it('reads a header sent one byte per segment', async () => {
    const result = await runStream(target, { direction: 'up', bytes: 70_000, seed: 8 }, { headerByteByByte: true });
    expect(result.verdict).toEqual({ kind: 'ok', bytes: 70_000 });
  });

  it.each([
    ['an HTTP request', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['an unknown direction', 'PBSTREAM sideways 1 1\n'],
    ['a header with no end of line within 64 bytes', `PBSTREAM down ${'9'.repeat(80)}`],
  ])('answers BAD 0 header to %s, then ends', async (_name, raw) => {
    const result = await runStream(target, { direction: 'up', bytes: 0, seed: 0 }, { rawHeader: Buffer.from(raw, 'latin1'), upload: [] });
    expect(result.tail.toString('latin1')).toBe('BAD 0 header\n');
  });

  it('never writes faster than the socket drains: a client that does not read holds the download back', async () => {
    const own = await startTcpSourceSink();
    const socket = connect({ host: own.host, port: own.port });
    try {
      await once(socket, 'connect');
      socket.pause();
      socket.write(formatStreamHeader({ direction: 'down', bytes: 256 * MiB, seed: 1 }));
      // Wait until the target stops handing bytes to its socket (bounded: 200 polls).
      let last = -1;
      for (let polls = 0; polls < 200 && own.stats().bytesSent !== last; polls++) {
        last = own.stats().bytesSent;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      const sent = own.stats().bytesSent;
      // Kernel buffers on both ends plus one writable buffer: a few MiB, far from the 256 MiB asked.
      expect(sent).toBeGreaterThan(0);
      expect(sent).toBeLessThan(32 * MiB);
      expect(own.stats().streams).toBe(1);
    } finally {
      socket.destroy();
      await own.close();
    }
  });

  it('counts the bytes it checked', async () => {
    const own = await startTcpSourceSink();
    try {
      await runStream(own, { direction: 'up', bytes: 12_345, seed: 2 });
      await runStream(own, { direction: 'down', bytes: 999, seed: 2 });
      expect(own.stats()).toEqual({ streams: 2, bytesSent: 999, bytesChecked: 12_345 });
    } finally {
      await own.close();
    }
  });

  it('closes with a stream still open', async () => {
    const own = await startTcpSourceSink();
    const socket = connect({ host: own.host, port: own.port });
    socket.on('error', () => {});
    await once(socket, 'connect');
    socket.write(formatStreamHeader({ direction: 'up', bytes: MiB, seed: 1 }));
    // 'close' whether the target's close reaches us as a FIN or a reset.
    const closed = new Promise((resolve) => socket.once('close', resolve));
    await own.close();
    await closed;
    expect(socket.destroyed).toBe(true);
  });

  it('rejects with SetupError when its port is taken', async () => {
    const error = await startTcpSourceSink({ port: target.port }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(SetupError);
  });
});
