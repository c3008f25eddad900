/**
 * The executors' public surface: the closed and open loops and the types they share. Each lives
 * in its own file (closed-executor.ts, open-executor.ts, executor-types.ts); callers import here.
 */
export type {
  ClosedLoopOptions,
  DropCause,
  ExecutorBounds,
  ExecutorCounts,
  ExecutorHooks,
  FireResult,
  OpenLoopOptions,
} from './executor-types.js';
export { runClosedLoop } from './closed-executor.js';
export { OPEN_LOOP_DEFAULTS, runOpenLoop } from './open-executor.js';
