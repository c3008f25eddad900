import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../../index.js';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
let child: ChildProcess | undefined;

afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
});

/** A proxy already running in its own process (the reference HTTP proxy), as a user's would be. */
async function startExternalProxy(): Promise<{ pid: number; port: number }> {
  const script = `
    const { startHttpProxy } = await import(${JSON.stringify(`${DIST}mock-targets/proxies/http-proxy.js`)});
    const { AnyLoopbackPort } = await import(${JSON.stringify(`${DIST}bench/fixtures/loopback-allowlist.js`)});
    const proxy = await startHttpProxy({ allow: new AnyLoopbackPort() });
    console.log(proxy.port);`;
  child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [data] = (await once(child.stdout!, 'data')) as [Buffer];
  return { pid: child.pid!, port: Number(data.toString().trim()) };
}

describe('run --sut-pid', () => {
  it('samples a proxy that was already running, and leaves it running', async () => {
    const proxy = await startExternalProxy();
    const report = await run({
      scenario: 'http-get',
      proxies: [`http://127.0.0.1:${proxy.port}`],
      sut: { kind: 'attach', pid: proxy.pid },
      concurrency: 4,
      workers: 1,
      durationMs: 1500,
      warmupMs: 300,
    });
    expect(report.totals.successRate).toBe(1);
    expect(report.sut?.source).toBe('attached');
    expect(report.sut?.pid).toBe(proxy.pid);
    expect(report.sut?.rssPeakMiB).toBeGreaterThan(0);
    expect(report.sut?.cpuMsPer1kRequests).toBeGreaterThan(0);
    expect(report.sut?.samples.length).toBeGreaterThan(3);
    expect(report.sut?.startupMs).toBeUndefined();
    // Attached, not owned: the run must not stop it.
    expect(child?.exitCode).toBeNull();
    expect(() => process.kill(proxy.pid, 0)).not.toThrow();
  });
});
