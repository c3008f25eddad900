import { readFile } from 'node:fs/promises';
import { UsageError } from '../../core/errors.js';
import { formatCommand } from './split-command.js';

const FIELD = '--sut-pid';

/** True when a process with this pid exists (signal 0 checks without sending anything). */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user; sampling may still read much of /proc.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The command line of a live Linux process, or undefined when it is gone or a zombie. */
async function procCommand(pid: number): Promise<string | undefined> {
  let stat: string;
  let cmdline: string;
  try {
    [stat, cmdline] = await Promise.all([readFile(`/proc/${pid}/stat`, 'utf8'), readFile(`/proc/${pid}/cmdline`, 'utf8')]);
  } catch {
    return undefined;
  }
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  if (state === 'Z' || state === 'X') return undefined;
  const argv = cmdline.split('\0').filter((arg, i, all) => !(arg === '' && i === all.length - 1));
  if (argv.length > 0) return formatCommand(argv);
  // Kernel threads have no command line; ps shows their name in brackets.
  const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  return `[${name}]`;
}

/**
 * `--sut-pid PID`: checks that the proxy to sample is running and reads its command line from
 * /proc/<pid>/cmdline (elsewhere than Linux the command is left empty). Throws a
 * {@link UsageError} for `--sut-pid` when no such process is running.
 */
export async function attachSut(pid: number): Promise<{ pid: number; command: string }> {
  if (!Number.isSafeInteger(pid) || pid <= 0) throw new UsageError(FIELD, `expects the pid of a running process, a positive integer (got ${pid})`);
  if (process.platform !== 'linux') {
    if (!processExists(pid)) throw new UsageError(FIELD, `no process with pid ${pid} is running`);
    return { pid, command: '' };
  }
  const command = await procCommand(pid);
  if (command === undefined) throw new UsageError(FIELD, `no process with pid ${pid} is running`);
  return { pid, command };
}
