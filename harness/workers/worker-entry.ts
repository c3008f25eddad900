import { parentPort, workerData } from 'node:worker_threads';
import type { MainMessage, WorkerMessage } from '../recorder/batch.js';
import type { WorkerPlan } from './worker-plan.js';
import { WorkerRun } from './worker-run.js';

/**
 * Worker-thread entry (compiled to dist/harness/workers/worker-entry.js). Posts `ready` once its
 * transports exist, starts on the main thread's `start`, stops early on `stop`.
 */
const port = parentPort;
if (!port) throw new Error('worker-entry must run in a worker thread');
const plan = workerData as WorkerPlan;
const post = (message: WorkerMessage): void => port.postMessage(message);

try {
  const worker = new WorkerRun(plan, post);
  port.on('message', (message: MainMessage) => {
    if (message.type === 'start') {
      worker.run(message.startAtWallMs).then(
        () => port.close(),
        (err: unknown) => post({ type: 'fatal', workerIndex: plan.workerIndex, message: String((err as Error)?.stack ?? err) }),
      );
    } else if (message.type === 'stop') {
      worker.requestStop();
    }
  });
  post({ type: 'ready', workerIndex: plan.workerIndex });
} catch (err) {
  post({ type: 'fatal', workerIndex: plan.workerIndex, message: String((err as Error)?.stack ?? err) });
}
