import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { bodyBlock } from '../../core/origin-wire/deterministic-body.js';
import { createTransport } from '../../harness/transports/create-transport.js';
import type { PhaseTimeouts, RequestOutcome } from '../../core/request.js';
import { download } from './transport-stack.js';

/**
 * The ttfb, idle and total limits, enforced by the request handler's one timer: each cause comes
 * at its own limit to within a timer's tick (undici's fast timers were 0.5–1 s late), and a body
 * that keeps flowing is never cut by the idle limit however long it takes.
 */

const BODY_BYTES = 4096;
const SEED = 9;
/** How late a limit may fire on a loaded 2-core machine, ms (undici's fast timers: up to 1,000). */
const LATE_MS = 150;

/** How the raw origin answers one request. */
type Script =
  /** Reads the request, never answers. */
  | { readonly kind: 'silent' }
  /** Sends the headers, then the body in `chunks` pieces `gapMs` apart, then stops (or stalls if `stallAfter`). */
  | { readonly kind: 'trickle'; readonly chunks: number; readonly gapMs: number; readonly stallAfter?: number };

const servers: Server[] = [];
const sockets = new Set<Socket>();

afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

/** A hand-written HTTP/1.1 origin on 127.0.0.1 that answers every request by `script`. */
async function rawOrigin(script: Script): Promise<number> {
  const body = bodyBlock(SEED, BODY_BYTES, 0);
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.once('data', () => {
      if (script.kind === 'silent') return;
      socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${BODY_BYTES}\r\n\r\n`);
      const size = Math.ceil(BODY_BYTES / script.chunks);
      let sent = 0;
      const next = (): void => {
        if (socket.destroyed || sent === script.chunks || sent === script.stallAfter) return;
        socket.write(body.subarray(sent * size, (sent + 1) * size));
        sent++;
        setTimeout(next, script.gapMs);
      };
      setTimeout(next, script.gapMs);
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
  it('ends a request with no response headers at the ttfb limit', async () => {
    const outcome = await getFrom(await rawOrigin({ kind: 'silent' }), { ttfbMs: 200 });
    expect(outcome).toMatchObject({ ok: false, cause: 'timeout_ttfb', statusCode: 0 });
    expect(ms(outcome.totalUs)).toBeGreaterThanOrEqual(199);
    expect(ms(outcome.totalUs)).toBeLessThan(200 + LATE_MS);
  });

  it('ends a body that stops flowing at the idle limit, counted from its last chunk', async () => {
    // Two chunks 50 ms apart, then silence: idle expires 200 ms after the second chunk.
    const outcome = await getFrom(await rawOrigin({ kind: 'trickle', chunks: 8, gapMs: 50, stallAfter: 2 }), { idleMs: 200 });
    expect(outcome).toMatchObject({ ok: false, cause: 'timeout_idle', statusCode: 200, bytesIn: 2 * (BODY_BYTES / 8) });
    expect(ms(outcome.totalUs)).toBeGreaterThanOrEqual(100 + 199);
    expect(ms(outcome.totalUs)).toBeLessThan(100 + 200 + LATE_MS);
  });

  it('lets a body that keeps flowing run past the idle limit', async () => {
    // 12 chunks 60 ms apart: 780 ms in all, almost four idle limits, never 200 ms silent.
    const outcome = await getFrom(await rawOrigin({ kind: 'trickle', chunks: 12, gapMs: 60 }), { ttfbMs: 200, idleMs: 200 });
    expect(outcome).toMatchObject({ ok: true, bytesIn: BODY_BYTES, statusCode: 200 });
    expect(ms(outcome.totalUs)).toBeGreaterThan(700);
  });

  it('ends a slow but flowing body at the total limit', async () => {
    const outcome = await getFrom(await rawOrigin({ kind: 'trickle', chunks: 20, gapMs: 60 }), { ttfbMs: 200, idleMs: 200, totalMs: 500 });
    expect(outcome).toMatchObject({ ok: false, cause: 'timeout_total', statusCode: 200 });
    expect(ms(outcome.totalUs)).toBeGreaterThanOrEqual(499);
    expect(ms(outcome.totalUs)).toBeLessThan(500 + LATE_MS);
  });

  it('names the total limit when it is shorter than the ttfb limit', async () => {
    const outcome = await getFrom(await rawOrigin({ kind: 'silent' }), { ttfbMs: 1_000, totalMs: 250 });
    expect(outcome).toMatchObject({ ok: false, cause: 'timeout_total' });
    expect(ms(outcome.totalUs)).toBeLessThan(250 + LATE_MS);
  });
});
