/**
 * Fault injection for tests only: makes worker 0 fail on purpose, so the tests can show that a run
 * keeps what was measured, reports the failure and never hangs when a worker thread dies (see
 * worker-pool.ts). Set in the environment of the process that runs the load:
 *
 * - `PROXYBENCH_FAULT_INJECT_WORKER=crash-after:N` — worker 0 throws an uncaught error after its
 *   N-th finished request (as a bug in a callback would);
 * - `PROXYBENCH_FAULT_INJECT_WORKER=exit-after:N` — worker 0 ends its thread with
 *   `process.exit(0)` after its N-th finished request, without posting its last results.
 *
 * Unset (always, outside tests), it costs one environment lookup per worker.
 */
export const WORKER_FAULT_ENV = 'PROXYBENCH_FAULT_INJECT_WORKER';

const SPEC = /^(crash|exit)-after:(\d+)$/;

/**
 * The hook worker `workerIndex` calls after each finished request, or undefined when no fault is
 * injected (the variable is unset or malformed, or this is not worker 0).
 */
export function workerFaultHook(workerIndex: number, env: NodeJS.ProcessEnv = process.env): (() => void) | undefined {
  const match = SPEC.exec(env[WORKER_FAULT_ENV] ?? '');
  if (!match || workerIndex !== 0) return undefined;
  const kind = match[1];
  const afterRequests = Number(match[2]);
  let finished = 0;
  return () => {
    if (++finished !== afterRequests) return;
    if (kind === 'exit') process.exit(0);
    // Thrown from a timer, outside any promise chain: an uncaught exception of the thread.
    setImmediate(() => {
      throw new Error(`fault injection: worker 0 crashed after ${afterRequests} requests (${WORKER_FAULT_ENV})`);
    });
  };
}
