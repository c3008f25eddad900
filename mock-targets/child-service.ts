import { fork, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { SetupError } from '../core/errors.js';
import { distEntry } from '../core/dist-entry.js';
import { OutputTail } from '../core/output-tail.js';

/** How a child service ended. */
export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A running child service (reference proxies, mock origins). */
export interface ChildService<Ready> {
  readonly pid: number;
  /** The child's ready message. */
  readonly ready: Ready;
  /** Fork to ready, ms. */
  readonly startupMs: number;
  /** Resolves when the child exits, on stop() or early. */
  readonly exited: Promise<ChildExit>;
  /** SIGTERM, SIGKILL after the grace period; idempotent; resolves once the child is gone. */
  stop(): Promise<void>;
}

/** Options of {@link startChildService}. */
export interface ChildServiceOptions<Ready> {
  /** What it is, for error messages ("the reference proxies"). */
  readonly name: string;
  /** Entry below dist/, e.g. `mock-targets/origins/origin-process.js`. */
  readonly entry: string;
  /** The first IPC message the child receives. */
  readonly config: unknown;
  /** Picks the ready message out of what the child sends; throws to report an error message. */
  readonly readyFrom: (message: unknown) => Ready | undefined;
  readonly readyTimeoutMs: number;
  readonly stopGraceMs: number;
}

const STDERR_TAIL_LINES = 10;

/**
 * Forks a service that lives in its own process — so its CPU and memory are measured apart from the
 * harness's — sends its config over IPC and waits for its ready message. Rejects with a
 * {@link SetupError} quoting the child's last stderr lines if it exits, reports an error or is not
 * ready in time; the child is then killed.
 */
export async function startChildService<Ready>(options: ChildServiceOptions<Ready>): Promise<ChildService<Ready>> {
  let entry: string;
  try {
    entry = distEntry(options.entry);
  } catch (err) {
    throw new SetupError(`${options.name} cannot start: ${(err as Error).message}`);
  }
  const startedMs = performance.now();
  // No inherited execArgv: an --inspect or loader flag of the harness must not be applied twice.
  // detached: its own process group, so the SIGINT a terminal sends to the harness's whole group on
  // Ctrl-C does not kill it mid-run (every in-flight request would fail); the harness drains, then
  // stops it. It still never outlives the harness: it exits when the IPC channel closes.
  const child = fork(entry, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: [], detached: true });
  const tail = new OutputTail(STDERR_TAIL_LINES * 2);
  const sink = tail.sink();
  child.stderr?.on('data', (chunk: Buffer) => sink.write(chunk));
  child.stderr?.once('close', () => sink.end());
  // Spawn and IPC failures also show as an exit or a missed deadline, which is where they are reported.
  child.on('error', () => {});
  const exited = new Promise<ChildExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const stop = stopper(child, exited, options.stopGraceMs);
  let ready: Ready;
  try {
    child.send(options.config as object);
    ready = await waitForReady(child, exited, options);
  } catch (err) {
    await stop();
    const stderr = tail.tail(STDERR_TAIL_LINES);
    throw new SetupError(`${options.name} did not start: ${(err as Error).message}${stderr ? `\n${stderr}` : ''}`);
  }
  return { pid: child.pid ?? -1, ready, startupMs: performance.now() - startedMs, exited, stop };
}

function waitForReady<Ready>(child: ChildProcess, exited: Promise<ChildExit>, options: ChildServiceOptions<Ready>): Promise<Ready> {
  let onMessage: (message: unknown) => void = () => {};
  let timer: NodeJS.Timeout | undefined;
  const ready = new Promise<Ready>((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`not ready within ${options.readyTimeoutMs} ms`)), options.readyTimeoutMs);
    onMessage = (message) => {
      try {
        const value = options.readyFrom(message);
        if (value !== undefined) resolve(value);
      } catch (err) {
        reject(err as Error);
      }
    };
    child.on('message', onMessage);
    child.once('error', reject);
    void exited.then((exit) => reject(new Error(`the child ${exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`}`)));
  });
  return ready.finally(() => {
    clearTimeout(timer);
    child.off('message', onMessage);
  });
}

function stopper(child: ChildProcess, exited: Promise<ChildExit>, graceMs: number): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
    })();
    return stopping;
  };
}
