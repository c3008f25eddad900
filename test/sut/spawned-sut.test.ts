import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { readFileSync, realpathSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { SutError, UsageError } from '../../core/errors.js';
import { spawnSut, type SpawnedSut } from '../../harness/sut/spawned-sut.js';
import { formatCommand } from '../../harness/sut/split-command.js';
import { freePort } from '../support/free-port.js';

const started: SpawnedSut[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((sut) => sut.stop()));
});

/** A `--sut` command running `script` with node; PORT in it is replaced by `port`. */
const nodeSut = (script: string, port = 0): string => formatCommand([process.execPath, '-e', script.replaceAll('PORT', String(port))]);
const LISTEN = `require('net').createServer((s) => s.end()).listen(PORT, '127.0.0.1');`;

async function spawnOn(script: string, extra: { readyTimeoutMs?: number; stopGraceMs?: number; cwd?: string; env?: Record<string, string> } = {}): Promise<SpawnedSut> {
  const port = await freePort();
  const sut = await spawnSut({ command: nodeSut(script, port), ready: { host: '127.0.0.1', port }, ...extra });
  started.push(sut);
  return sut;
}

/** The SutError spawnSut rejected with (fails the test when it resolved). */
async function spawnError(script: string, extra: { readyTimeoutMs?: number } = {}): Promise<SutError> {
  const err = await spawnOn(script, extra).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SutError);
  return err as SutError;
}

/** Running (a zombie is not: this machine's init may never reap an orphan that was killed). */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\S+ \(.*\) [ZX] /.test(stat);
  } catch {
    return false;
  }
}

describe('spawnSut', () => {
  it('resolves once the proxy port accepts a connection, with its start-up time', async () => {
    const sut = await spawnOn(`setTimeout(() => { ${LISTEN} }, 150);`);
    expect(sut.startupMs).toBeGreaterThan(150);
    expect(isAlive(sut.pid)).toBe(true);
    expect(sut.command).toContain('-e');
  });

  it('runs the SUT in --sut-cwd with --sut-env added to the environment', async () => {
    const cwd = realpathSync(tmpdir());
    const sut = await spawnOn(`console.error('cwd=' + process.cwd() + ' token=' + process.env.PB_TOKEN + ' path=' + (process.env.PATH ? 'kept' : 'lost')); ${LISTEN}`, { cwd, env: { PB_TOKEN: 'x y' } });
    await expect.poll(() => sut.stderrTail()).toBe(`cwd=${cwd} token=x y path=kept`);
  });

  it('fails with the exit code and the last lines of stderr when the SUT exits before it is ready', async () => {
    const err = await spawnError(`console.log('starting'); console.error('FATAL: cannot read squid.conf'); process.exit(7);`);
    expect(err.code).toBe('PB_ERR_SUT');
    expect(err.message).toMatch(/exited with code 7 before it was ready/);
    expect(err.stderrTail).toBe('starting\nFATAL: cannot read squid.conf');
  });

  it('hints at the foreground when the SUT exits 0 before it is ready (it daemonized)', async () => {
    const err = await spawnError('process.exit(0);');
    expect(err.message).toMatch(/exited with code 0 before it was ready \(the SUT must stay in the foreground/);
  });

  it('fails after the ready timeout and stops a SUT that never listens', async () => {
    const err = await spawnError(`console.error('pid=' + process.pid); setTimeout(() => {}, 30000);`, { readyTimeoutMs: 1000 });
    expect(err.message).toMatch(/was not ready within 1000 ms .*it was stopped/);
    const pid = Number(/pid=(\d+)/.exec(err.stderrTail)?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(isAlive(pid)).toBe(false);
  });

  it('fails at once when the executable does not exist', async () => {
    const port = await freePort();
    const err = await spawnSut({ command: '/nonexistent/proxy --flag', ready: { host: '127.0.0.1', port } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SutError);
    expect((err as SutError).message).toMatch(/could not start '\/nonexistent\/proxy': .*ENOENT/);
  });

  it('fails when another process already holds the proxy port', async () => {
    const squatter: Server = createServer((s) => s.end());
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const port = (squatter.address() as { port: number }).port;
    try {
      const err = await spawnSut({ command: nodeSut(LISTEN, port), ready: { host: '127.0.0.1', port } }).catch((e: unknown) => e);
      expect((err as SutError).message).toMatch(new RegExp(`127.0.0.1:${port} already accepts connections`));
    } finally {
      squatter.close();
    }
  });

  it('refuses a command line with unbalanced quotes as a --sut usage error', async () => {
    await expect(spawnSut({ command: `node -e 'oops`, ready: { host: '127.0.0.1', port: 1 } })).rejects.toBeInstanceOf(UsageError);
  });

  it('keeps only the last 50 lines of output', async () => {
    const sut = await spawnOn(`for (let i = 0; i < 500; i++) console.error('line ' + i); ${LISTEN}`);
    await expect.poll(() => sut.stderrTail(1)).toBe('line 499');
    const lines = sut.stderrTail(1000).split('\n');
    expect(lines).toHaveLength(50);
    expect(lines[0]).toBe('line 450');
  });
});

describe('SpawnedSut.stop', () => {
  it('ends the SUT with SIGTERM', async () => {
    const sut = await spawnOn(LISTEN);
    await sut.stop();
    expect(await sut.exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect(isAlive(sut.pid)).toBe(false);
  });

  it('sends SIGKILL after the grace period to a SUT that ignores SIGTERM', async () => {
    const sut = await spawnOn(`process.on('SIGTERM', () => console.error('ignoring SIGTERM')); ${LISTEN}`, { stopGraceMs: 300 });
    await sut.stop();
    expect(await sut.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(sut.stderrTail()).toContain('ignoring SIGTERM');
  });

  it('also ends the children the SUT leaves behind', async () => {
    const sut = await spawnOn(
      `const c = require('child_process').spawn(process.execPath, ['-e', 'process.on("SIGTERM", () => {}); setInterval(() => {}, 1000)'], { stdio: 'ignore' });` +
        `console.error('child=' + c.pid); ${LISTEN}`,
    );
    await expect.poll(() => sut.stderrTail()).toMatch(/child=\d+/);
    const child = Number(/child=(\d+)/.exec(sut.stderrTail())?.[1]);
    expect(isAlive(child)).toBe(true);
    await sut.stop();
    await expect.poll(() => isAlive(child)).toBe(false);
  });

  it('can be called twice and after the SUT has exited on its own', async () => {
    const sut = await spawnOn(`${LISTEN} setTimeout(() => process.exit(3), 100);`);
    expect(await sut.exited).toEqual({ code: 3, signal: null });
    await Promise.all([sut.stop(), sut.stop()]);
    expect(await sut.exited).toEqual({ code: 3, signal: null });
  });
});
