import { MAX_DELAY_MS } from '../../core/origin-wire/origin-paths.js';

/**
 * Holds the start of responses while the origin is paused: a stall the harness injects to see
 * how a proxy and the latency figures behave when the origin stops answering but keeps accepting.
 * Requests still arrive and are read; only the writing of their responses waits.
 */
export class ResponseGate {
  /** True while responses are held; read on every request, so it is a plain field. */
  holding = false;
  private held: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;

  /**
   * Holds every response not yet started for `ms` milliseconds from now. A later call replaces the
   * end of the stall, so `pause(0)` resumes at once.
   */
  pause(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0 || ms > MAX_DELAY_MS) {
      throw new RangeError(`pause(ms): ms must be a number of milliseconds from 0 to ${MAX_DELAY_MS}, got ${ms}`);
    }
    clearTimeout(this.timer);
    this.timer = undefined;
    if (ms === 0) {
      this.release();
      return;
    }
    this.holding = true;
    this.timer = setTimeout(() => this.release(), ms);
  }

  /** Runs `start` now, or when the stall ends if one is on. */
  whenOpen(start: () => void): void {
    if (this.holding) this.held.push(start);
    else start();
  }

  /** Drops what is held without running it (the origin is closing and its sockets are gone). */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.holding = false;
    this.held = [];
  }

  private release(): void {
    this.holding = false;
    const held = this.held;
    this.held = [];
    // In arrival order, as a real origin that froze would answer once it thawed.
    for (const start of held) start();
  }
}
