import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.js';
import { attachSut } from '../../harness/sut/attached-sut.js';

describe('attachSut', () => {
  it('attaches to a live process and reads its command line', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)', 'two words'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      const attached = await attachSut(child.pid as number);
      expect(attached).toEqual({ pid: child.pid, command: `${process.execPath} -e 'setTimeout(() => {}, 20000)' 'two words'` });
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses the pid of a process that has exited, naming --sut-pid', async () => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await new Promise((resolve) => child.once('exit', resolve));
    const err = await attachSut(child.pid as number).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).field).toBe('--sut-pid');
    expect((err as UsageError).message).toBe(`--sut-pid: no process with pid ${child.pid} is running`);
  });

  it.each([0, -5, 1.5, Number.NaN])('refuses %s, which is no pid', async (pid) => {
    await expect(attachSut(pid)).rejects.toThrow(/--sut-pid: expects the pid of a running process/);
  });
});
