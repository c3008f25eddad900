import type { RawData } from 'ws';
import type { WebSocketFormat } from '../../../core/scenario.js';
import { streamBytes } from '../../../core/origin-wire/stream-contract.js';
import { TransportFailure } from '../transport-failure.js';

/**
 * What a `websocket` exchange sends and expects back (docs/targets.md, "WebSocket echo"): message
 * i of N bytes is the stream of the kind's seed at offset i·N — as is for `binary`, and for `text`
 * each byte b mapped to the printable ASCII character 0x20 + (b mod 95), so a text message is
 * valid UTF-8 (RFC 6455 §5.6 makes the echo refuse anything else), one byte per character, and
 * still depends only on (seed, offset).
 */

/** Printable ASCII: 0x20 (space) to 0x7e (`~`). */
const PRINTABLE_FIRST = 0x20;
const PRINTABLE_COUNT = 95;

/** Message `index` (0-based) of `messageBytes` bytes for `seed`, in `format`. */
export function webSocketMessage(seed: number, format: WebSocketFormat, index: number, messageBytes: number): Buffer {
  const bytes = streamBytes(seed, index * messageBytes, messageBytes);
  if (format === 'text') {
    for (let i = 0; i < bytes.length; i++) bytes[i] = PRINTABLE_FIRST + (bytes[i]! % PRINTABLE_COUNT);
  }
  return bytes;
}

/** An echo as the WebSocket handed it over: its payload and whether its frame was binary. */
export interface WebSocketEcho {
  readonly data: Buffer;
  readonly isBinary: boolean;
}

/**
 * Checks the echo of message `index` (0-based) against what was sent; throws an `integrity`
 * TransportFailure naming the message and the first difference (frame type, length or byte).
 */
export function checkWebSocketEcho(echo: WebSocketEcho, sent: Buffer, format: WebSocketFormat, index: number): void {
  const which = `the echo of message ${index + 1}`;
  if (echo.isBinary !== (format === 'binary')) {
    throw new TransportFailure('integrity', `${which} came back as a ${echo.isBinary ? 'binary' : 'text'} message, sent as ${format}`);
  }
  if (echo.data.length !== sent.length) {
    throw new TransportFailure('integrity', `${which} has ${echo.data.length} bytes, ${sent.length} were sent`);
  }
  if (!echo.data.equals(sent)) {
    let at = 0;
    while (echo.data[at] === sent[at]) at++;
    throw new TransportFailure('integrity', `${which} differs from what was sent at byte ${at}`);
  }
}

/** A message's payload as one Buffer, whichever shape ws handed it over in. */
export function webSocketPayload(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}
