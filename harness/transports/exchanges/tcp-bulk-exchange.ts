import type { PreparedExchange } from '../../../core/exchange.js';
import { formatStreamHeader, upStreamSeed, type StreamHeader } from '../../../core/origin-wire/stream-contract.js';
import type { RequestOutcome } from '../../../core/request.js';
import { elapsedUs } from '../connection-setup.js';
import { BulkAnswer } from './bulk-answer.js';
import type { ExchangeSession } from './exchange-session.js';
import { StreamReader } from './stream-reader.js';
import { writeStream } from '../../../core/origin-wire/stream-writer.js';

type TcpBulk = Extract<PreparedExchange, { op: 'tcp-bulk' }>;

/**
 * `tcp-bulk` (docs/targets.md, TCP source/sink): one stream through the proxy, the `PBSTREAM`
 * header, then `bytes` stream bytes down (checked as they arrive), up (written as fast as the
 * socket drains, then the target's verdict read), or both at once (the up stream uses
 * {@link upStreamSeed}). Nothing is buffered, so memory stays flat whatever `bytes` is. The
 * exchange succeeds once everything due arrived verified and the target ended the stream, so bytes
 * past the end are seen (`integrity`). A stream the proxy ends early is `reset`; silence both ways
 * for longer than the idle limit is `timeout_idle`. `ttfb` is the first byte back (the first down
 * byte, or the verdict in `up`); bytesIn/bytesOut count payload bytes, not the header or verdict.
 * No message tally: the report's throughput and byte counts carry a bulk transfer.
 */
export async function runTcpBulk(session: ExchangeSession, exchange: TcpBulk): Promise<RequestOutcome> {
  const header: StreamHeader = { direction: exchange.direction, bytes: exchange.bytes, seed: exchange.seed };
  const answer = new BulkAnswer(header.seed, header.bytes, header.direction);
  let reader: StreamReader | undefined;
  try {
    const { socket } = await session.openStream(exchange.target);
    const { idleMs, totalMs } = session.options.timeouts;
    const openReader = new StreamReader(socket, (chunk) => {
      session.noteFirstAnswer();
      answer.consume(chunk);
      session.bytesIn = answer.downBytes;
    }, idleMs, Math.max(1, totalMs - elapsedUs(session.startMs) / 1000), session.signal);
    reader = openReader;
    socket.write(formatStreamHeader(header));
    const uploaded = header.direction === 'down'
      ? Promise.resolve()
      : writeStream(socket, upStreamSeed(header), header.bytes, (chunkBytes) => {
          session.bytesOut += chunkBytes;
          openReader.noteOutgoingProgress();
        });
    // The wait rejects at the first fault, the upload included (its stall is the wait's idle limit);
    // the upload then stops when `finally` destroys the stream.
    await Promise.all([uploaded, openReader.waitUntil(() => answer.complete && openReader.hasEnded, whatIsDue(header))]);
    socket.end();
    return session.succeeded();
  } catch (err) {
    return session.failed(err);
  } finally {
    reader?.dispose();
    session.abort(); // destroys the stream, whatever state it is in
  }
}

/** What the exchange waits for, for the failure's detail. */
function whatIsDue(header: StreamHeader): string {
  switch (header.direction) {
    case 'down':
      return `the ${header.bytes} bytes of the down stream and the target's end`;
    case 'up':
      return `the target's verdict on the ${header.bytes}-byte upload and its end`;
    case 'both':
      return `the ${header.bytes} bytes of the down stream, the target's verdict on the upload and its end`;
  }
}
