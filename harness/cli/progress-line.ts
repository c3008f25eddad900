import type { HoldProgress, RunProgress } from '../config/run-options.js';

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
      const line = p.held
        ? holdLine(p, p.held, elapsed)
        : p.phase === 'warmup'
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

/** A hold run: connections opened so far, then how long they have been held. */
function holdLine(p: RunProgress, held: HoldProgress, elapsed: string): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  const trouble = `${n(held.failed)} failed${held.closedEarly > 0 ? `, ${n(held.closedEarly)} closed early` : ''}`;
  if (held.stage === 'opening') return `  opening ${n(held.established + held.failed)}/${n(held.target)} connections  ${n(held.established)} established, ${trouble}`;
  const trickle = p.requests > 0 ? `  ${n(p.requests)} trickle req, ${n(p.failures)} failed` : '';
  return `  holding ${elapsed}  ${n(held.established - held.closedEarly)} of ${n(held.target)} connections held, ${trouble}${trickle}`;
}
