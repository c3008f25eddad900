import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { bodyBlock } from '../../core/origin-wire/deterministic-body.js';
import { createTransport } from '../../harness/transports/create-transport.js';
import type { PhaseTimeouts, RequestOutcome } from '../../core/request.js';
import { download } from '../support/transport-stack.js';

/**
 * The ttfb, idle and total limits, enforced by the request handler's one timer: each cause comes
 * at its own limit, not a timer's tick later (undici's fast timers were 0.5–1 s late), and a body
 * that keeps flowing is never cut by the idle limit however long it takes.
 *
 * "Not later" is shown without a clock: the raw origin has its next move ready {@link LATE_MS}
 * after the limit, so a limit that fired that late would see an answer or a body chunk instead and
 * end the request otherwise (ok, or with fewer bytes cut). The origin runs in this process, so its
 * move and the limit are timers on one event loop: Node runs due timers earliest first, and an
 * overloaded machine only delays both, never reorders them.
 */

const BODY_BYTES = 4096;
const SEED = 9;
/** How long after a limit the origin's next move comes, ms: a limit this late would not be seen. */
const LATE_MS = 450;

/** How the raw origin answers one request. */
type Script =
  /** Reads the request, then says nothing for `headersAfterMs`, then answers it whole. */
  | { readonly kind: 'late'; readonly headersAfterMs: number }
  /**
   * Sends the headers, then the body in `chunks` pieces `gapMs` apart; after `pause.afterChunks`
   * pieces it waits `pause.forMs` more before the next.
   */
  | { readonly kind: 'trickle'; readonly chunks: number; readonly gapMs: number; readonly pause?: { readonly afterChunks: number; readonly forMs: number } };

const servers: Server[] = [];
const sockets = new Set<Socket>();

afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

const HEAD = `HTTP/1.1 200 OK\r\ncontent-length: ${BODY_BYTES}\r\n\r\n`;

/** Sends the body as `script` says, the headers already written. */
function trickle(socket: Socket, body: Buffer, script: Extract<Script, { kind: 'trickle' }>): void {
  const size = Math.ceil(BODY_BYTES / script.chunks);
  let sent = 0;
  const next = (): void => {
    if (socket.destroyed || sent === script.chunks) return;
    socket.write(body.subarray(sent * size, (sent + 1) * size));
    sent++;
    setTimeout(next, script.gapMs + (sent === script.pause?.afterChunks ? script.pause.forMs : 0));
  };
  setTimeout(next, script.gapMs);
}

/** A hand-written HTTP/1.1 origin on 127.0.0.1 that answers every request by `script`. */
async function rawOrigin(script: Script): Promise<number> {
  const body = bodyBlock(SEED, BODY_BYTES, 0);
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.once('data', () => {
      if (script.kind === 'late') {
        setTimeout(() => {
          if (!socket.destroyed) socket.write(Buffer.concat([Buffer.from(HEAD), body]));
        }, script.headersAfterMs);
        return;
      }
      socket.write(HEAD);
      trickle(socket, body, script);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

async function getFrom(port: number, limits: Partial<PhaseTimeouts>): Promise<RequestOutcome> {
  const origin = { protocol: 'http', host: '127.0.0.1', port } as const;
  const transport = createTransport({
    protocol: 'direct',
    origin,
    maxConnections: 1,
    connectionPolicy: 'keep-alive',
    timeouts: { connectMs: 2_000, handshakeMs: 2_000, ttfbMs: 5_000, idleMs: 5_000, totalMs: 10_000, ...limits },
  });
  try {
    return await transport.execute(download(origin, BODY_BYTES, SEED));
  } finally {
    await transport.close();
  }
}

const ms = (us: number): number => us / 1000;

describe('phase limits', () => {
  it('ends a request with no response headers at the ttfb limit, before an answer due later', async () => {
    const outcome = await getFrom(await rawOrigin({ kind: 'late', headersAfterMs: 200 + LATE_MS }), { ttfbMs: 200 });
    // The answer's timer starts after the request was written, the ttfb's when it was: the limit is
    // due first on any machine, and only a limit LATE_MS late would let the answer in (ok: true).
    expect(outcome).toMatchObject({ ok: false, cause: 'timeout_ttfb', statusCode: 0, bytesIn: 0 });
    // A limit cannot fire before it has passed (1 ms: Node's timers count whole milliseconds).
    expect(ms(outcome.totalUs)).toBeGreaterThanOrEqual(199);
  });

  it('ends a body that stops flowing at the idle limit, counted from its last chunk', async () => {
    // Two chunks 50 ms apart, then silence until the third, LATE_MS after the idle limit expires.
    const pause = { afterChunks: 2, forMs: 200 + LATE_MS - 50 };
    const outcome = await getFrom(await rawOrigin({ kind: 'trickle', chunks: 8, gapMs: 50, pause }), { idleMs: 200 });
    // Exactly two chunks: cut before the third, which a limit LATE_MS late would have let in.
    expect(outcome).toMatchObject({ ok: false, cause: 'timeout_idle', statusCode: 200, bytesIn: 2 * (BODY_BYTES / 8) });
    // Two gaps of 50 ms, then 200 ms of silence: neither the origin's timers (1 ms each) nor the
    // limit (1 ms) can come sooner than Node's millisecond granularity allows.
    expect(ms(outcome.totalUs)).toBeGreaterThanOrEqual(2 * 50 + 200 - 3);
  });

  it('lets a body that keeps flowing run past the idle limit', async () => {
    // 20 chunks 60 ms apart: 1.2 s in all, four idle limits, never 300 ms silent.
    const outcome = await getFrom(await rawOrigin({ kind: 'trickle', chunks: 20, gapMs: 60 }), { ttfbMs: 300, idleMs: 300 });
    expect(outcome).toMatchObject({ ok: true, bytesIn: BODY_BYTES, statusCode: 200 });
    // 20 gaps of 60 ms cannot pass sooner (1 ms each for the timers' granularity): over three idle limits.
    expect(ms(outcome.totalUs)).toBeGreaterThan(3 * 300);
  });

  it('ends a slow but flowing body at the total limit', async () => {
    // 16 chunks 60 ms apart: the body would be whole 960 ms in, LATE_MS after the limit, and no
    // 400 ms silence (ttfb, idle) on the way.
    const outcome = await getFrom(await rawOrigin({ kind: 'trickle', chunks: 16, gapMs: 60 }), { ttfbMs: 400, idleMs: 400, totalMs: 500 });
    // Cut mid-body: a total limit LATE_MS late would have let the whole body in (ok: true).
    expect(outcome).toMatchObject({ ok: false, cause: 'timeout_total', statusCode: 200 });
    expect(outcome.bytesIn).toBeGreaterThan(0);
    expect(outcome.bytesIn).toBeLessThan(BODY_BYTES);
    expect(ms(outcome.totalUs)).toBeGreaterThanOrEqual(499);
  });

  it('names the total limit when it is shorter than the ttfb limit, before an answer due later', async () => {
    const outcome = await getFrom(await rawOrigin({ kind: 'late', headersAfterMs: 250 + LATE_MS }), { ttfbMs: 1_000, totalMs: 250 });
    // The total limit is due first (it counts from before the request was written), the answer
    // LATE_MS later, the ttfb limit later still: the cause names the one that was due first.
    expect(outcome).toMatchObject({ ok: false, cause: 'timeout_total', statusCode: 0, bytesIn: 0 });
    expect(ms(outcome.totalUs)).toBeGreaterThanOrEqual(249);
  });
});
