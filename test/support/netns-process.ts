import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { findIp, ip, type NamespaceEnd } from './netns.js';

// Processes started inside a namespace of netns.ts. `ip netns exec NAME cmd…` enters the namespace
// and then execs cmd (it does not fork), so the child's PID is the command's own: a test stops it
// by that PID like any other child.

/** A process started in a namespace, its output kept. */
export interface NamespacedProcess {
  readonly child: ChildProcess;
  /** The command's own PID. */
  readonly pid: number;
  /** Everything it wrote to stdout so far. */
  stdout(): string;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** Everything it wrote to stdout and stderr so far, in the order it arrived (a log on either). */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal) once it has exited. */
  readonly exited: Promise<number | null>;
}

/** Starts `argv` inside `end`'s namespace with the test's environment. */
export function startInNamespace(end: NamespaceEnd, argv: readonly string[]): NamespacedProcess {
  const ipPath = findIp();
  if (!ipPath) throw new Error('no ip command (apt-get install iproute2)');
  const child = spawn(ipPath, ['netns', 'exec', end.name, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`could not start ${argv[0]} in ${end.name}`);
  let stdout = '';
  let stderr = '';
  let output = '';
  child.stdout!.on('data', (d: Buffer) => ((stdout += d.toString()), (output += d.toString())));
  child.stderr!.on('data', (d: Buffer) => ((stderr += d.toString()), (output += d.toString())));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, pid: child.pid, stdout: () => stdout, stderr: () => stderr, output: () => output, exited };
}

/** Runs `argv` in `end`'s namespace to completion. */
export async function runInNamespace(end: NamespaceEnd, argv: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const started = startInNamespace(end, argv);
  const code = await started.exited;
  return { code, stdout: started.stdout(), stderr: started.stderr() };
}

/** The first line the process writes to stdout; rejects if it exits first. */
export function firstStdoutLine(started: NamespacedProcess): Promise<string> {
  const lines = createInterface({ input: started.child.stdout! });
  return new Promise((resolve, reject) => {
    lines.once('line', resolve);
    void started.exited.then((code) => reject(new Error(`exited (${code}) before its first line: ${started.output().trim()}`)));
  });
}

/**
 * Waits until a TCP socket listens on `end.address:port` inside the namespace, asking the kernel
 * (`ss -l`) rather than connecting, so the wait itself sends nothing. Rejects after `attempts`
 * polls 50 ms apart, or when `started` exits first.
 */
export async function waitForListener(end: NamespaceEnd, port: number, started: NamespacedProcess, attempts = 200): Promise<void> {
  let exitCode: number | null | undefined;
  void started.exited.then((code) => (exitCode = code));
  for (let i = 0; i < attempts; i++) {
    if (exitCode !== undefined) throw new Error(`exited (${exitCode}) before listening on ${end.address}:${port}: ${started.output().trim()}`);
    const listening = ip(['netns', 'exec', end.name, 'ss', '-H', '-l', '-t', '-n', 'src', `${end.address}:${port}`]);
    if (listening.trim() !== '') return;
    await delay(50);
  }
  throw new Error(`nothing listens on ${end.address}:${port} in ${end.name} after ${attempts} polls: ${started.output().trim()}`);
}

/** SIGTERM (or `signal`) by PID, SIGKILL after `graceMs`; resolves once it has exited. */
export async function stopProcess(started: NamespacedProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<number | null> {
  if (started.child.exitCode !== null || started.child.signalCode !== null) return started.exited;
  process.kill(started.pid, signal);
  const timer = setTimeout(() => killQuietly(started.pid), graceMs);
  try {
    return await started.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** SIGKILL by PID; a process that is already gone is no error. */
export function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // ESRCH: already exited.
  }
}
