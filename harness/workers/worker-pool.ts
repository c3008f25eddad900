import { Worker } from 'node:worker_threads';
import { SetupError } from '../../core/errors.js';
import type { Aggregator } from '../recorder/aggregator.js';
import type { MainMessage, WorkerHealth, WorkerMessage } from '../recorder/batch.js';
import { distEntry } from '../../core/dist-entry.js';
import type { WorkerPlan } from './worker-plan.js';

/** What the workers said when they finished. */
export interface PoolResult {
  readonly health: readonly WorkerHealth[];
  /** Latest wall-clock ms at which any worker stopped starting measured requests. */
  readonly measuredEndWallMs: number;
  readonly warmupRequests: number;
  readonly interrupted: boolean;
}

/** How long the main thread lets workers take to create their transports. */
const READY_TIMEOUT_MS = 15_000;
/** Lead time between `start` being posted and the common start instant, so all workers begin together. */
const START_LEAD_MS = 50;

/**
 * Runs worker threads for one phase of a run: spawns them with their plans, starts them at one
 * common instant, routes their batches to the aggregator, and asks them to stop on `signal`.
 */
export async function runWorkers(
  plans: readonly WorkerPlan[],
  aggregator: Aggregator,
  signal: AbortSignal | undefined,
  onStart?: (startAtWallMs: number) => void,
  /** Epoch ms at which the load starts (shards of one run share it); default: as soon as all are ready. */
  startAtWallMs?: number,
): Promise<PoolResult> {
  const entry = distEntry('harness/workers/worker-entry.js');
  const workers = plans.map((plan) => new Worker(entry, { workerData: plan }));
  const health: WorkerHealth[] = [];
  let measuredEndWallMs = 0;
  let warmupRequests = 0;
  let interrupted = false;
  try {
    await new Promise<void>((resolve, reject) => {
      let ready = 0;
      let done = 0;
      const readyTimer = setTimeout(() => reject(new SetupError(`worker threads were not ready within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
      const stopAll = (): void => workers.forEach((w) => w.postMessage({ type: 'stop' } satisfies MainMessage));
      signal?.addEventListener('abort', stopAll, { once: true });
      if (signal?.aborted) stopAll();
      workers.forEach((worker) => {
        worker.on('message', (message: WorkerMessage) => {
          switch (message.type) {
            case 'ready':
              if (++ready === workers.length) {
                clearTimeout(readyTimer);
                const startAt = Math.max(Date.now() + START_LEAD_MS, startAtWallMs ?? 0);
                onStart?.(startAt);
                workers.forEach((w) => w.postMessage({ type: 'start', startAtWallMs: startAt } satisfies MainMessage));
              }
              break;
            case 'batch':
              aggregator.addBatch(message);
              break;
            case 'done':
              aggregator.workerDone(message.workerIndex);
              health[message.workerIndex] = message.health;
              measuredEndWallMs = Math.max(measuredEndWallMs, message.measuredEndWallMs);
              warmupRequests += message.warmupRequests;
              interrupted ||= message.interrupted;
              if (++done === workers.length) {
                signal?.removeEventListener('abort', stopAll);
                resolve();
              }
              break;
            case 'fatal':
              clearTimeout(readyTimer);
              reject(new SetupError(`worker ${message.workerIndex} failed: ${message.message.split('\n')[0]}`));
              break;
          }
        });
        worker.on('error', (err) => {
          clearTimeout(readyTimer);
          reject(new SetupError(`worker thread crashed: ${err.message}`));
        });
      });
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return { health, measuredEndWallMs, warmupRequests, interrupted };
}
