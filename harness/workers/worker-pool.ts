import { Worker } from 'node:worker_threads';
import { SetupError } from '../../core/errors.js';
import type { Aggregator } from '../recorder/aggregator.js';
import type { MainMessage, WorkerHealth, WorkerMessage } from '../recorder/batch.js';
import { distEntry } from '../../core/dist-entry.js';
import type { WorkerPlan } from './worker-plan.js';

/** What the workers said when they finished. */
export interface PoolResult {
  /** One per worker that finished normally (a failed worker has none). */
  readonly health: readonly WorkerHealth[];
  /** Latest wall-clock ms at which any worker stopped starting measured requests (or failed). */
  readonly measuredEndWallMs: number;
  readonly warmupRequests: number;
  readonly interrupted: boolean;
  /**
   * Workers that failed once the load had started — threw, crashed, or exited without their last
   * report — one message each. The batches they posted before are kept; the others were stopped.
   */
  readonly failures: readonly string[];
}

/** How long the main thread lets workers take to create their transports. */
const READY_TIMEOUT_MS = 15_000;
/** Lead time between `start` being posted and the common start instant, so all workers begin together. */
const START_LEAD_MS = 50;

/**
 * Runs worker threads for one phase of a run: spawns them with their plans, starts them at one
 * common instant, routes their batches to the aggregator, and asks them to stop on `signal`.
 * A worker that fails before the start is a {@link SetupError} (nothing was measured); one that
 * fails after it stops the others and is listed in {@link PoolResult.failures}, so what was
 * measured is kept and the run never waits for a worker that is gone.
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
  // execArgv []: the harness's own flags are not the workers' (`node --input-type=module -e …`
  // running the API would make every Worker constructor throw ERR_WORKER_INVALID_EXEC_ARGV).
  const workers = plans.map((plan) => new Worker(entry, { workerData: plan, execArgv: [] }));
  const pool = new PoolState(workers, aggregator, signal, onStart, startAtWallMs);
  try {
    return await pool.finished;
  } finally {
    pool.dispose();
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Where one worker is: still starting, running the load, or finished (done or failed). */
type WorkerState = 'starting' | 'running' | 'finished';

/** The main thread's book-keeping for one pool: which workers are where, and what they reported. */
class PoolState {
  readonly finished: Promise<PoolResult>;
  private readonly states: WorkerState[];
  private readonly health: WorkerHealth[] = [];
  private readonly failures: string[] = [];
  private measuredEndWallMs = 0;
  private warmupRequests = 0;
  private interrupted = false;
  private ready = 0;
  private resolve: (result: PoolResult) => void = () => undefined;
  private reject: (err: Error) => void = () => undefined;
  private readonly readyTimer: NodeJS.Timeout;
  private readonly stopAll = (): void => this.workers.forEach((w) => w.postMessage({ type: 'stop' } satisfies MainMessage));

  constructor(
    private readonly workers: readonly Worker[],
    private readonly aggregator: Aggregator,
    private readonly signal: AbortSignal | undefined,
    private readonly onStart: ((startAtWallMs: number) => void) | undefined,
    private readonly startAtWallMs: number | undefined,
  ) {
    this.states = workers.map(() => 'starting');
    this.finished = new Promise<PoolResult>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.readyTimer = setTimeout(() => this.reject(new SetupError(`worker threads were not ready within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
    signal?.addEventListener('abort', this.stopAll, { once: true });
    if (signal?.aborted) this.stopAll();
    workers.forEach((worker, index) => {
      worker.on('message', (message: WorkerMessage) => this.onMessage(message));
      worker.on('error', (err) => this.onFailure(index, `worker ${index} crashed: ${err.message}`));
      // After 'done' or a failure this is the expected end; before, the worker left without a word.
      worker.on('exit', (code) => this.onFailure(index, `worker ${index} exited (code ${code}) without reporting its last results`));
    });
  }

  /** Stops listening; the workers themselves are terminated by the caller. */
  dispose(): void {
    clearTimeout(this.readyTimer);
    this.signal?.removeEventListener('abort', this.stopAll);
  }

  private onMessage(message: WorkerMessage): void {
    switch (message.type) {
      case 'ready':
        if (++this.ready === this.workers.length) this.startAll();
        break;
      case 'batch':
        if (this.states[message.workerIndex] === 'running') this.aggregator.addBatch(message);
        break;
      case 'done':
        if (this.states[message.workerIndex] !== 'running') break;
        this.health.push(message.health);
        this.measuredEndWallMs = Math.max(this.measuredEndWallMs, message.measuredEndWallMs);
        this.warmupRequests += message.warmupRequests;
        this.interrupted ||= message.interrupted;
        this.finish(message.workerIndex);
        break;
      case 'fatal':
        this.onFailure(message.workerIndex, `worker ${message.workerIndex} failed: ${message.message.split('\n')[0]}`);
        break;
    }
  }

  private startAll(): void {
    clearTimeout(this.readyTimer);
    const startAt = Math.max(Date.now() + START_LEAD_MS, this.startAtWallMs ?? 0);
    this.onStart?.(startAt);
    this.states.fill('running');
    this.workers.forEach((w) => w.postMessage({ type: 'start', startAtWallMs: startAt } satisfies MainMessage));
  }

  /** A worker threw, crashed or exited early: before the start nothing was measured, after it the rest is kept. */
  private onFailure(index: number, message: string): void {
    const state = this.states[index];
    if (state === 'finished') return;
    if (state === 'starting') {
      this.reject(new SetupError(message));
      return;
    }
    this.failures.push(message);
    // Its measured time ended now; the others are stopped, as a run missing a worker's share of
    // the load no longer measures what was asked.
    this.measuredEndWallMs = Math.max(this.measuredEndWallMs, Date.now());
    this.stopAll();
    void this.workers[index]?.terminate();
    this.finish(index);
  }

  private finish(index: number): void {
    this.states[index] = 'finished';
    this.aggregator.workerDone(index);
    if (this.states.every((s) => s === 'finished')) {
      this.resolve({
        health: this.health,
        measuredEndWallMs: this.measuredEndWallMs,
        warmupRequests: this.warmupRequests,
        interrupted: this.interrupted,
        failures: this.failures,
      });
    }
  }
}
