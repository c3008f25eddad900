import { describe, expect, it } from 'vitest';
import { createProgressLine } from '../../harness/cli/progress-line.js';
import type { RunProgress } from '../../harness/config/run-options.js';

/** A stand-in for stderr that says it is a terminal and keeps what was written. */
function terminal(isTTY: boolean): NodeJS.WriteStream & { written: string } {
  const stream = { isTTY, written: '', write(chunk: string) { stream.written += chunk; return true; } };
  return stream as unknown as NodeJS.WriteStream & { written: string };
}

const base: RunProgress = { phase: 'measure', elapsedMs: 4200, plannedMs: 10_000, requests: 12_345, successes: 12_345, failures: 0, lastSecondRps: 3000, lastSecondP99Ms: 8.5 };

describe('the progress line', () => {
  it('shows a request loop: elapsed, requests, success, rate and p99', () => {
    const tty = terminal(true);
    createProgressLine(tty)!.update(base);
    expect(tty.written).toBe('\r\x1b[2K  measuring 4s/10s  12,345 req  100.00% ok  3,000 req/s  p99 8.5 ms');
  });

  it('shows a hold run opening its connections', () => {
    const tty = terminal(true);
    createProgressLine(tty)!.update({ ...base, phase: 'hold', elapsedMs: 0, requests: 0, held: { stage: 'opening', target: 10_000, established: 4000, failed: 12, closedEarly: 0, heldForMs: 0 } });
    expect(tty.written).toBe('\r\x1b[2K  opening 4,012/10,000 connections  4,000 established, 12 failed');
  });

  it('shows a hold run holding: connections still held, failures, closures and trickle requests', () => {
    const tty = terminal(true);
    const line = createProgressLine(tty)!;
    line.update({ ...base, phase: 'hold', elapsedMs: 7000, plannedMs: 30_000, requests: 500, failures: 2, held: { stage: 'holding', target: 1000, established: 998, failed: 2, closedEarly: 3, heldForMs: 7000 } });
    expect(tty.written).toBe('\r\x1b[2K  holding 7s/30s  995 of 1,000 connections held, 2 failed, 3 closed early  500 trickle req, 2 failed');
    line.clear();
    expect(tty.written.endsWith('\r\x1b[2K')).toBe(true);
  });

  it('writes nothing when stderr is not a terminal (CI logs, pipes)', () => {
    expect(createProgressLine(terminal(false))).toBeUndefined();
  });
});
