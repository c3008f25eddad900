import { readFileSync } from 'node:fs';

/** A watch on a process that proxybench did not start (`--sut-pid`): it cannot wait for its exit event. */
export interface ExitWatch {
  /** Resolves once the process is gone: exited, a zombie, or its pid taken by another process. */
  readonly exited: Promise<void>;
  /** Stops watching (`exited` then never resolves). Idempotent. */
  stop(): void;
}

/**
 * The process's identity on Linux: its start time since boot, in clock ticks (field 22 of
 * /proc/<pid>/stat), so a pid reused by a new process is not taken for the old one. Undefined when
 * it is gone or a zombie; `alive` when /proc is not there to ask (other platforms).
 */
function identity(pid: number): string | undefined {
  if (process.platform !== 'linux') {
    try {
      process.kill(pid, 0);
      return 'alive';
    } catch (err) {
      // EPERM: it exists but belongs to another user.
      return (err as NodeJS.ErrnoException).code === 'EPERM' ? 'alive' : undefined;
    }
  }
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name (which may hold spaces and parentheses), numbered from 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  if (state === 'Z' || state === 'X') return undefined;
  return fields[22 - 3];
}

/**
 * Polls process `pid` every `intervalMs` and resolves {@link ExitWatch.exited} when it is gone.
 * For an attached SUT, whose exit event belongs to another parent; a few /proc reads a second.
 */
export function watchProcessExit(pid: number, intervalMs: number): ExitWatch {
  const first = identity(pid);
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const exited = new Promise<void>((resolve) => {
    const check = (): void => {
      if (stopped) return;
      if (first === undefined || identity(pid) !== first) {
        resolve();
        return;
      }
      // unref: the watch alone must not keep the harness alive.
      timer = setTimeout(check, intervalMs).unref();
    };
    check();
  });
  return {
    exited,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
