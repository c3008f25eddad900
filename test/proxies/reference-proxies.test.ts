import { fork } from 'node:child_process';
import { once } from 'node:events';
import { SocksClient } from 'socks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distEntry } from '../../core/dist-entry.js';
import { startOrigin, type RunningOrigin } from '../../mock-targets/origins/http-origin.js';
import { downloadPath } from '../../core/origin-wire/origin-paths.js';
import { startTcpEcho, type RunningTcpEcho } from '../../mock-targets/origins/tcp-echo.js';
import { startReferenceProxies } from '../../mock-targets/proxies/reference-proxies.js';
import { SocketReader, basic, requestViaProxy } from '../support/proxy-client.js';

// These tests fork dist/mock-targets/proxies/proxy-process.js: run `npx tsc -p tsconfig.build.json` first.

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the reference proxies child process', () => {
  let origin: RunningOrigin;
  let echo: RunningTcpEcho;

  beforeAll(async () => {
    [origin, echo] = await Promise.all([startOrigin(), startTcpEcho()]);
  });
  afterAll(async () => {
    await Promise.all([origin.close(), echo.close()]);
  });

  const allowAll = (): { host: string; port: number }[] => [
    { host: '127.0.0.1', port: origin.address.port },
    { host: '127.0.0.1', port: echo.port },
  ];

  it('starts both proxies, reports pid and ports, serves through each, and stop() ends the process', async () => {
    const proxies = await startReferenceProxies({ http: true, socks5: true, allow: allowAll() });
    expect(isAlive(proxies.pid)).toBe(true);
    expect(proxies.http).toMatchObject({ kind: 'http', host: '127.0.0.1' });
    expect(proxies.socks5).toMatchObject({ kind: 'socks5', host: '127.0.0.1', resolveAtProxy: false });
    expect(proxies.startupMs).toBeGreaterThan(0);

    const res = await requestViaProxy(proxies.http!, `http://127.0.0.1:${origin.address.port}${downloadPath(1_000, 2)}`);
    const { socket } = await SocksClient.createConnection({
      proxy: { host: '127.0.0.1', port: proxies.socks5!.port, type: 5 },
      command: 'connect',
      destination: { host: '127.0.0.1', port: echo.port },
    });
    const reader = new SocketReader(socket);
    socket.end('through the child');
    expect([res.status, res.body.length]).toEqual([200, 1_000]);
    expect((await reader.rest()).toString()).toBe('through the child');

    await proxies.stop();
    expect(await proxies.exited).toEqual({ code: 0, signal: null });
    expect(isAlive(proxies.pid)).toBe(false);
  });

  it('starts only what is asked for, with the credentials in the endpoint and enforced', async () => {
    const auth = { username: 'bench', password: 'pw' };
    const proxies = await startReferenceProxies({ http: true, socks5: false, allow: allowAll(), auth });
    try {
      const target = `http://127.0.0.1:${origin.address.port}${downloadPath(10, 1)}`;
      const without = await requestViaProxy(proxies.http!, target);
      const withAuth = await requestViaProxy(proxies.http!, target, { headers: { 'proxy-authorization': basic('bench', 'pw') } });
      expect(proxies.socks5).toBeUndefined();
      expect(proxies.http).toMatchObject({ kind: 'http', auth });
      expect([without.status, withAuth.status]).toEqual([407, 200]);
    } finally {
      await proxies.stop();
    }
  });

  it('rejects with a SetupError when the child is not ready in time', async () => {
    const failure = startReferenceProxies({ http: true, socks5: false, allow: [], readyTimeoutMs: 1 });
    await expect(failure).rejects.toMatchObject({ code: 'PB_ERR_SETUP', message: expect.stringMatching(/not ready within 1 ms/) });
  });

  it('exits 0 by itself when its parent disconnects, so it never outlives the harness', async () => {
    const child = fork(distEntry('mock-targets/proxies/proxy-process.js'), [], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'], execArgv: [] });
    child.send({ http: true, socks5: true, allow: [] });
    const [ready] = (await once(child, 'message')) as [{ type: string }];
    const exited = once(child, 'exit');
    child.disconnect();
    expect(ready.type).toBe('ready');
    expect(await exited).toEqual([0, null]);
  });

  it('answers an invalid config with an error message naming the field and exits 1', async () => {
    const child = fork(distEntry('mock-targets/proxies/proxy-process.js'), [], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'], execArgv: [] });
    const exited = once(child, 'exit');
    child.send({ http: true, socks5: false, allow: [{ host: '127.0.0.1', port: 'eighty' }] });
    const [reply] = (await once(child, 'message')) as [{ type: string; message: string }];
    expect(reply).toEqual({ type: 'error', message: expect.stringContaining('config.allow') });
    expect(await exited).toEqual([1, null]);
  });
});
