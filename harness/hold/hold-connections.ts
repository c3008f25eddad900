import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import pLimit from 'p-limit';
import type { HeldConnections } from '../../reports/schema.js';
import type { Held } from './held-strategy.js';
import { heldConnectionsReport } from './held-connections-report.js';
import { HOLD_DEFAULTS } from './hold-defaults.js';
import { HoldTally } from './hold-tally.js';
import type { HoldOptions } from './hold-options.js';
import { setupFailure, TransportFailure } from '../transports/index.js';

/** How often {@link HoldOptions.onProgress} is called, ms. */
const PROGRESS_INTERVAL_MS = 1000;

/** What a hold phase leaves. */
export interface HoldOutcome {
  readonly held: HeldConnections;
  readonly interrupted: boolean;
}

/**
 * Opens `connections` connections along the routes, round-robin (at most `openConcurrency` at once), holds them
 * for `holdMs` — idle, or with a trickle request on each every `intervalMs`, spread evenly over the
 * interval — then closes them all. The proxy's RSS is sampled before the first opens and over the
 * second half of the hold. Memory is one small object per held connection, nothing per request.
 */
export async function holdConnections(options: HoldOptions): Promise<HoldOutcome> {
  const tally = new HoldTally();
  /** Each held connection, with the index of the route it took. */
  const held = new Map<Held, number>();
  let holdStartMs: number | undefined;
  const onProgress = options.onProgress;
  const progressTimer = onProgress
    ? setInterval(() => onProgress({
      stage: holdStartMs === undefined ? 'opening' : 'holding',
      target: options.connections,
      established: tally.established,
      failed: tally.failed,
      closedEarly: tally.endedEarly,
      heldForMs: holdStartMs === undefined ? 0 : performance.now() - holdStartMs,
    }), PROGRESS_INTERVAL_MS)
    : undefined;
  try {
    const baselineMiB = await options.sampleSutRssMiB?.();
    const openStartMs = performance.now();
    await openAll(options, tally, held);
    const openingMs = performance.now() - openStartMs;
    holdStartMs = performance.now();
    const stopTrickle = new AbortController();
    // Every trickle loop waits on this one signal: thousands of listeners are the design, not a leak.
    setMaxListeners(0, stopTrickle.signal);
    const trickling = options.trickle ? startTrickle([...held], options, tally, stopTrickle.signal) : [];
    const heldMiB = await waitHolding(options);
    stopTrickle.abort();
    await Promise.all(trickling);
    const holdMs = performance.now() - holdStartMs;
    return {
      held: heldConnectionsReport({ options, tally, openingMs, holdMs, baselineMiB, heldMiB }),
      interrupted: options.signal?.aborted ?? false,
    };
  } finally {
    clearInterval(progressTimer);
    for (const connection of held.keys()) connection.close();
    tally.destroy();
  }
}

/** Opens every connection; those that open join `held` until they end. */
async function openAll(options: HoldOptions, tally: HoldTally, held: Map<Held, number>): Promise<void> {
  const strategies = options.strategies;
  const limit = pLimit(options.openConcurrency ?? HOLD_DEFAULTS.openConcurrency);
  const maxOpen = options.maxOpen ?? Infinity;
  const overBudget = `EMFILE avoided: the open-files limit leaves room for ${maxOpen} held connections and the harness's own files`;
  const attempt = async (index: number): Promise<void> => {
    if (options.signal?.aborted) return;
    if (index >= maxOpen) return tally.openFailed('harness_limit', overBudget);
    const routeIndex = index % strategies.length;
    try {
      // The callback runs on a later event (a close), when `opened` is set.
      const opened = await strategies[routeIndex]!.open(() => {
        tally.endedEarly++;
        held.delete(opened.held);
      });
      tally.opened(opened.timings);
      held.set(opened.held, routeIndex);
    } catch (err) {
      // The opener's steps reject with classified failures; anything else is still set-up trouble.
      const failure = err instanceof TransportFailure ? err : setupFailure(err, 'tcp', 'the first hop');
      tally.openFailed(failure.failureCause, failure.detail);
    }
  };
  await Promise.all(Array.from({ length: options.connections }, (_, index) => limit(attempt, index)));
}

/** Starts one trickle loop per held connection, the first sends spread evenly over one interval. */
function startTrickle(connections: readonly (readonly [Held, number])[], options: HoldOptions, tally: HoldTally, stop: AbortSignal): Promise<void>[] {
  const trickle = options.trickle!;
  return connections.map(async ([connection, routeIndex], i) => {
    let waitMs = (i / connections.length) * trickle.intervalMs;
    while (connection.isOpen && (await pause(waitMs, stop)) && connection.isOpen) {
      const outcome = await connection.trickle();
      tally.trickled(outcome.ok, outcome.cause, outcome.detail);
      trickle.record(outcome, routeIndex);
      waitMs = trickle.intervalMs;
    }
  });
}

/**
 * Waits out the hold, sampling the SUT's RSS over its second half (where the proxy's memory has
 * settled after the opening burst); resolves with the median sample, or undefined without one.
 */
async function waitHolding(options: HoldOptions): Promise<number | undefined> {
  const startMs = performance.now();
  const samples: number[] = [];
  const count = options.sampleSutRssMiB ? HOLD_DEFAULTS.plateauSamples : 1;
  for (let k = 0; k < count; k++) {
    // Sample k at 50 % + k/(count−1)·50 % of the hold; the last one just before closing.
    const atMs = count === 1 ? options.holdMs : options.holdMs * (0.5 + (0.5 * k) / (count - 1));
    if (!(await pause(startMs + atMs - performance.now(), options.signal))) break;
    const rss = await options.sampleSutRssMiB?.();
    if (rss !== undefined) samples.push(rss);
  }
  // Interrupted before the second half: the connections are still open, so one sample still says what they cost.
  if (samples.length === 0 && options.sampleSutRssMiB) {
    const rss = await options.sampleSutRssMiB();
    if (rss !== undefined) samples.push(rss);
  }
  return median(samples);
}

/** Waits `ms`; resolves false at once if `signal` is (or becomes) aborted. */
async function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  try {
    await delay(Math.max(0, ms), undefined, signal ? { signal } : {});
    return true;
  } catch {
    return false; // aborted: the only way this delay rejects
  }
}

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
