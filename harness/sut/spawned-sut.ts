import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { SutError } from '../../core/errors.js';
import { redactProxyUrl } from '../../core/proxy-url.js';
import { OutputTail } from '../../core/output-tail.js';
import { splitCommand } from './split-command.js';
import { SUT_DEFAULTS } from './sut-defaults.js';
import { canConnect, waitForPort } from './wait-for-port.js';

/** Options of {@link spawnSut}. */
export interface SpawnSutOptions {
  /** `--sut`: the command line, split without a shell (see splitCommand). */
  readonly command: string;
  /** `--sut-cwd`. */
  readonly cwd?: string;
  /** `--sut-env K=V`: added to the harness's own environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** The proxy port: the SUT is ready once it accepts a TCP connection. */
  readonly ready: { readonly host: string; readonly port: number };
  /** `--sut-ready-timeout`, ms (default {@link SUT_DEFAULTS}.readyTimeoutMs). */
  readonly readyTimeoutMs?: number;
  /** Time between SIGTERM and SIGKILL on stop, ms (default {@link SUT_DEFAULTS}.stopGraceMs). */
  readonly stopGraceMs?: number;
}

/** How a process ended: its exit code, or the signal that ended it. */
export interface SutExit {
  readonly code: number | null;
  readonly signal: string | null;
}

/** A proxy under test that proxybench started and will stop. */
export interface SpawnedSut {
  readonly pid: number;
  /** From spawn to the proxy port accepting a connection, ms. */
  readonly startupMs: number;
  /** The command line as given. */
  readonly command: string;
  /** The last `lines` (default 20) lines it wrote to stderr and stdout, interleaved as they came. */
  stderrTail(lines?: number): string;
  /** Resolves when it exits, with code/signal. */
  readonly exited: Promise<SutExit>;
  /**
   * Resolves like `exited`, once its last output has reached {@link SpawnedSut.stderrTail} too (at
   * most {@link OUTPUT_FLUSH_MS} later: a child of it may hold the pipes open).
   */
  readonly exitedWithOutput: Promise<SutExit>;
  /** SIGTERM, then SIGKILL to its whole process group after the grace period; resolves once it is gone. */
  stop(): Promise<void>;
}

/** Lines of output kept for errors. */
const TAIL_LINES = 50;
/** After the SUT exits, how long to wait for the last of its output, ms. */
const OUTPUT_FLUSH_MS = 200;

// SUTs still running when the harness exits (a crash, an uncaught error): killed with their
// process group, so no proxy outlives the run that started it.
const running = new Set<number>();
let exitHookInstalled = false;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already empty.
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const pid of running) killGroup(pid, 'SIGKILL');
  });
}

function describeExit(exit: SutExit): string {
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  // A proxy that daemonizes (forks and lets its parent exit 0) looks like this; say what to do.
  const hint = exit.code === 0 ? ' (the SUT must stay in the foreground, e.g. squid -N, tinyproxy -d)' : '';
  return `${how} before it was ready${hint}`;
}

/** The child as spawnSut tracks it. */
interface Launched {
  readonly pid: number;
  readonly exited: Promise<SutExit>;
  /** Resolves when its stdout and stderr have closed (all its output is in the tail). */
  readonly closed: Promise<void>;
}

/** Spawns argv; throws a SutError when the executable cannot be started (ENOENT, EACCES). */
async function launch(argv: readonly string[], options: SpawnSutOptions, tail: OutputTail): Promise<Launched> {
  // detached: the SUT leads its own process group, so stop() can kill its children with it.
  const child = spawn(argv[0] as string, argv.slice(1), {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  for (const stream of [child.stdout, child.stderr]) {
    const sink = tail.sink();
    stream?.on('data', (chunk: Buffer) => sink.write(chunk));
    stream?.once('close', () => sink.end());
  }
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const exited = new Promise<SutExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  // 'on', not 'once': a second 'error' without a listener would throw in the harness.
  const failed = new Promise<Error>((resolve) => child.on('error', resolve));
  const spawned = await Promise.race([new Promise<true>((resolve) => child.once('spawn', () => resolve(true))), failed]);
  if (spawned !== true || child.pid === undefined) {
    throw new SutError(`could not start '${argv[0]}': ${spawned instanceof Error ? spawned.message : 'no pid'}`);
  }
  const pid = child.pid;
  running.add(pid);
  installExitHook();
  void exited.then(() => running.delete(pid));
  return { pid, exited, closed };
}

/**
 * Starts the proxy under test (argv split without a shell), waits until `ready.host:ready.port`
 * accepts a connection, and returns a handle to stop it. Throws a {@link SutError} carrying its
 * output's last lines when it cannot be started, exits early, or is not ready in time (it is then
 * stopped), or when something else already holds the port (readiness would be measured on the
 * wrong process).
 */
export async function spawnSut(options: SpawnSutOptions): Promise<SpawnedSut> {
  const argv = splitCommand(options.command);
  const { host, port } = options.ready;
  const readyTimeoutMs = options.readyTimeoutMs ?? SUT_DEFAULTS.readyTimeoutMs;
  if (await canConnect(host, port)) {
    throw new SutError(`${host}:${port} already accepts connections before the SUT started: another process holds the port`);
  }
  const tail = new OutputTail(TAIL_LINES);
  const startedMs = performance.now();
  const { pid, exited, closed } = await launch(argv, options, tail);
  const stop = makeStop(pid, exited, options.stopGraceMs ?? SUT_DEFAULTS.stopGraceMs);

  const exitedEarly = new AbortController();
  void exited.then(() => exitedEarly.abort());
  const ready = await waitForPort(host, port, readyTimeoutMs, exitedEarly.signal);
  const startupMs = performance.now() - startedMs;
  const exitedBeforeReady = exitedEarly.signal.aborted;
  if (!ready || exitedBeforeReady) {
    if (!exitedBeforeReady) await stop();
    await Promise.race([closed, delay(OUTPUT_FLUSH_MS)]);
    const why = exitedBeforeReady
      ? describeExit(await exited)
      : `was not ready within ${readyTimeoutMs} ms (nothing accepted connections on ${host}:${port}); it was stopped`;
    // One line; its last output travels beside it (the CLI prints it below, the report appends it).
    throw new SutError(`the SUT '${redactProxyUrl(options.command)}' ${why}`, tail.tail());
  }
  const exitedWithOutput = exited.then(async (exit) => {
    await Promise.race([closed, delay(OUTPUT_FLUSH_MS)]);
    return exit;
  });
  return { pid, startupMs, command: options.command, stderrTail: (lines = 20) => tail.tail(lines), exited, exitedWithOutput, stop };
}

/** SIGTERM to the SUT; SIGKILL to its process group after `graceMs`; then any leftovers of the group. */
function makeStop(pid: number, exited: Promise<SutExit>, graceMs: number): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  return () => {
    stopping ??= (async () => {
      if (!hasExited) {
        // SIGTERM to the root alone: a proxy's main process shuts its workers down in order.
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // ESRCH: it exited meanwhile.
        }
        const grace = new AbortController();
        const inTime = await Promise.race([exited.then(() => true), delay(graceMs, false, { signal: grace.signal }).catch(() => false)]);
        grace.abort();
        if (!inTime) killGroup(pid, 'SIGKILL');
        await exited;
      }
      // Children that outlived their parent still belong to the run.
      killGroup(pid, 'SIGKILL');
      running.delete(pid);
    })();
    return stopping;
  };
}
