import type { MessageTally, PreparedExchange, RttSink } from '../../../core/exchange.js';
import { streamBytes, StreamVerifier } from '../../../core/origin-wire/stream-contract.js';
import type { RequestOutcome } from '../../../core/request.js';
import { elapsedUs } from '../connection-setup.js';
import { TransportFailure } from '../transport-failure.js';
import type { ExchangeSession } from './exchange-session.js';
import { StreamReader } from './stream-reader.js';

type TcpEcho = Extract<PreparedExchange, { op: 'tcp-echo' }>;

/**
 * `tcp-echo` (docs/targets.md): one stream to the TCP echo through the proxy; then, one at a time,
 * message i (stream bytes [i·N, (i+1)·N) of the kind's seed) is written and its echo awaited and
 * verified as it arrives. A message's round trip runs from its write to its echo's last byte.
 */
export async function runTcpEcho(session: ExchangeSession, exchange: TcpEcho, onRtt: RttSink): Promise<RequestOutcome> {
  const { messageBytes, messages, seed } = exchange;
  const verifier = new StreamVerifier(seed, messageBytes * messages);
  let sent = 0;
  const tally = (): MessageTally => {
    // Bytes from the first wrong one on are not verified: the message holding it is not received.
    const received = Math.floor((verifier.failed?.offset ?? verifier.received) / messageBytes);
    return { sent, received: Math.min(received, sent), lost: sent - Math.min(received, sent), reordered: 0, duplicates: 0 };
  };
  let reader: StreamReader | undefined;
  try {
    const { socket } = await session.openStream(exchange.target);
    const { idleMs, totalMs } = session.options.timeouts;
    reader = new StreamReader(socket, (chunk) => {
      session.noteFirstAnswer();
      session.bytesIn += chunk.length;
      if (!verifier.update(chunk)) throw integrityFailure(verifier, messageBytes);
    }, idleMs, Math.max(1, totalMs - elapsedUs(session.startMs) / 1000), session.signal);
    for (let i = 0; i < messages; i++) {
      const message = streamBytes(seed, i * messageBytes, messageBytes);
      const writtenAtMs = performance.now();
      socket.write(message);
      sent++;
      session.bytesOut += messageBytes;
      const echoedBytes = (i + 1) * messageBytes;
      await reader.waitUntil(() => verifier.received >= echoedBytes, `the echo of message ${i + 1} of ${messages}`);
      onRtt(elapsedUs(writtenAtMs));
    }
    socket.end();
    return session.succeeded(tally());
  } catch (err) {
    return session.failed(err, tally());
  } finally {
    reader?.dispose();
    session.abort(); // destroys the stream, whatever state it is in
  }
}

function integrityFailure(verifier: StreamVerifier, messageBytes: number): TransportFailure {
  const fault = verifier.failed;
  const offset = fault?.offset ?? verifier.received;
  const what = fault?.kind === 'overlong' ? 'more bytes than were sent came back' : `echo differs from what was sent at byte ${offset}`;
  return new TransportFailure('integrity', `${what} (message ${Math.floor(offset / messageBytes) + 1})`);
}
