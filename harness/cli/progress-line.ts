import type { RunProgress } from '../run/run-options.js';

/**
 * The live progress line of a long run: one line on stderr, rewritten in place about once a
 * second. Only on a TTY; CI logs and pipes get nothing.
 */
export function createProgressLine(stream: NodeJS.WriteStream): { update(progress: RunProgress): void; clear(): void } | undefined {
  if (!stream.isTTY) return undefined;
  let shown = false;
  return {
    update(p) {
      const elapsed = `${Math.floor(p.elapsedMs / 1000)}s/${Math.ceil(p.plannedMs / 1000)}s`;
      const ok = p.requests > 0 ? `${((p.successes / p.requests) * 100).toFixed(2)}% ok` : '';
      const line = p.phase === 'warmup'
        ? `  warming up ${elapsed}`
        : `  ${p.phase === 'baseline' ? 'direct baseline' : 'measuring'} ${elapsed}  ${p.requests.toLocaleString('en-US')} req  ${ok}  ${p.lastSecondRps.toLocaleString('en-US')} req/s  p99 ${p.lastSecondP99Ms} ms`;
      stream.write(`\r\x1b[2K${line}`);
      shown = true;
    },
    clear() {
      if (shown) stream.write('\r\x1b[2K');
    },
  };
}
