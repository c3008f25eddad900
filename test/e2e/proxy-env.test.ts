import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnyLoopbackPort } from '../../bench/fixtures/loopback-allowlist.js';
import { startHttpProxy, type RunningProxyServer } from '../../mock-targets/proxies/http-proxy.js';
import { startSocks5Proxy } from '../../mock-targets/proxies/socks5-proxy.js';
import type { Report } from '../../reports/schema.js';
import { freePort } from '../support/free-port.js';
import { runCli, tempDir, type CliResult } from '../support/cli.js';

// `--proxy env` through the CLI, the variables given to the child process as a shell would: curl's
// choice per target scheme, the password never shown, NO_PROXY matching a target refused, and
// the variables ignored entirely without `--proxy env`.

const PASSWORD = 'env-Pw 4:z';

/** Every proxy variable curl reads, unset: each test sets the ones it means (the child inherits the rest of the environment). */
const CLEAN: Readonly<Record<string, string>> = Object.fromEntries(
  ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY', 'no_proxy', 'NO_PROXY'].map((name) => [name, '']),
);

const SHORT = ['--requests', '60', '--warmup', '0', '--concurrency', '3', '--workers', '1', '--quiet'];

interface Counted {
  readonly server: RunningProxyServer;
  readonly admitted: () => number;
}

async function countingHttpProxy(auth?: { username: string; password: string }): Promise<Counted> {
  let admitted = 0;
  const server = await startHttpProxy({ allow: new AnyLoopbackPort(), ...(auth ? { auth } : {}) }, { admit: () => void admitted++ });
  return { server, admitted: () => admitted };
}

async function readJson(path: string): Promise<Report> {
  return JSON.parse(await readFile(path, 'utf8')) as Report;
}

function expectOneLineUsageError(result: CliResult, ...parts: readonly string[]): void {
  expect(result.code, result.stderr).toBe(2);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  for (const part of parts) expect(lines[0]).toContain(part);
}

describe('--proxy env, through the CLI', () => {
  let forHttp: Counted;
  let forHttps: Counted;
  let socks: RunningProxyServer;
  let dir = '';
  beforeAll(async () => {
    forHttp = await countingHttpProxy({ username: 'eu', password: PASSWORD });
    forHttps = await countingHttpProxy();
    socks = await startSocks5Proxy({ allow: new AnyLoopbackPort() });
    dir = await tempDir();
  });
  afterAll(async () => {
    await forHttp.server.close();
    await forHttps.server.close();
    await socks.close();
  });

  const httpUrl = (): string => `http://eu:${encodeURIComponent(PASSWORD)}@127.0.0.1:${forHttp.server.port}`;
  const env = (): Record<string, string> => ({ ...CLEAN, http_proxy: httpUrl(), HTTPS_PROXY: `http://127.0.0.1:${forHttps.server.port}`, ALL_PROXY: `socks5://127.0.0.1:${socks.port}` });

  it.each([
    ['http-get', 'http_proxy', (): string => `http://eu:***@127.0.0.1:${forHttp.server.port}`],
    ['https-connect', 'HTTPS_PROXY', (): string => `http://127.0.0.1:${forHttps.server.port}`],
    ['socks5-http', 'ALL_PROXY', (): string => `socks5://127.0.0.1:${socks.port}`],
  ])('%s goes through the proxy of %s, as curl would choose it, and the report names it without its password', async (scenario, _variable, shown) => {
    const out = join(dir, `${scenario}.json`);
    const before = [forHttp.admitted(), forHttps.admitted()];
    const result = await runCli(['run', scenario, '--proxy', 'env', ...SHORT, '--out', out], env());
    expect(result.code, result.stderr).toBe(0);
    const report = await readJson(out);
    expect(report.config.embeddedProxies).toBe(false);
    expect(report.config.proxies).toEqual([shown()]);
    expect(report.totals.successes).toBe(60);
    expect(report.byProxy![shown()]!.requests).toBe(60);
    if (scenario === 'http-get') expect(forHttp.admitted() - before[0]!).toBeGreaterThanOrEqual(60);
    if (scenario === 'https-connect') expect(forHttps.admitted() - before[1]!).toBeGreaterThan(0);
    for (const text of [result.stdout, result.stderr, JSON.stringify(report)]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(encodeURIComponent(PASSWORD));
    }
  });

  it('refuses a run whose target NO_PROXY matches, naming NO_PROXY and the host', async () => {
    const result = await runCli(['run', 'http-get', '--proxy', 'env', ...SHORT, '--out', join(dir, 'never.json')], { ...env(), NO_PROXY: 'localhost,127.0.0.0/8' });
    expectOneLineUsageError(result, "NO_PROXY: '127.0.0.0/8' matches 127.0.0.1", 'unset NO_PROXY');
    expect(result.stderr).not.toContain(PASSWORD);
  });

  it('says which variable to set when curl would find no proxy (upper-case HTTP_PROXY is not read)', async () => {
    const result = await runCli(['run', 'http-get', '--proxy', 'env', ...SHORT, '--out', join(dir, 'never.json')], { ...CLEAN, HTTP_PROXY: httpUrl() });
    expectOneLineUsageError(result, '--proxy env:', 'curl ignores the upper-case name for http; set http_proxy');
    expect(result.stderr).not.toContain(PASSWORD);
  });

  it('never reads the variables without --proxy env: a dead proxy in every one of them changes nothing', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const everywhere = { http_proxy: dead, HTTP_PROXY: dead, https_proxy: dead, HTTPS_PROXY: dead, all_proxy: dead, ALL_PROXY: dead, NO_PROXY: '*', no_proxy: '*' };
    const embedded = join(dir, 'embedded.json');
    const plain = await runCli(['run', 'http-mixed', ...SHORT, '--out', embedded], everywhere);
    expect(plain.code, plain.stderr).toBe(0);
    const report = await readJson(embedded);
    expect(report.config.embeddedProxies).toBe(true);
    expect(report.totals.successes).toBe(60);
    expect(JSON.stringify(report.config)).not.toContain(dead);
    const given = join(dir, 'given.json');
    const explicit = await runCli(['run', 'https-connect', '--proxy', `http://127.0.0.1:${forHttps.server.port}`, ...SHORT, '--out', given], everywhere);
    expect(explicit.code, explicit.stderr).toBe(0);
    const givenReport = await readJson(given);
    expect(givenReport.config.proxies).toEqual([`http://127.0.0.1:${forHttps.server.port}`]);
    expect(givenReport.totals.successes).toBe(60);
  });
});
