import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';

/** Longest pause between two connection attempts while waiting, ms. */
const MAX_POLL_MS = 20;
/** First pause: a proxy that binds within a few ms should not be charged a whole 20 ms of start-up. */
const FIRST_POLL_MS = 2;
/** One attempt gives up after this, ms (a SYN to a closed loopback port is refused at once anyway). */
const ATTEMPT_TIMEOUT_MS = 1000;

/**
 * Tries one TCP connection to `host:port` and closes it at once: the attempt itself is the probe
 * (nothing is sent). Resolves true when it connected within `timeoutMs`.
 */
export function canConnect(host: string, port: number, timeoutMs = ATTEMPT_TIMEOUT_MS): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), Math.max(1, timeoutMs));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

/**
 * Polls `host:port` until a connection succeeds (true), `timeoutMs` passes or `signal` aborts
 * (false). Pauses grow 2, 4, 8, 16, then 20 ms between attempts.
 */
export async function waitForPort(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const deadlineMs = performance.now() + timeoutMs;
  let pauseMs = FIRST_POLL_MS;
  while (!signal?.aborted) {
    const leftMs = deadlineMs - performance.now();
    if (leftMs <= 0) return false;
    if (await canConnect(host, port, Math.min(ATTEMPT_TIMEOUT_MS, leftMs))) return true;
    try {
      await delay(Math.min(pauseMs, Math.max(0, deadlineMs - performance.now())), undefined, { signal });
    } catch {
      return false; // aborted
    }
    pauseMs = Math.min(MAX_POLL_MS, pauseMs * 2);
  }
  return false;
}
