import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { run, type ProxyCredentials, type Report } from '../../index.js';
import { Allowlist } from '../../mock-targets/proxies/allowlist.js';
import { startHttpProxy, type RunningProxyServer } from '../../mock-targets/proxies/http-proxy.js';
import { startSocks5Proxy } from '../../mock-targets/proxies/socks5-proxy.js';
import { runCli, tempDir } from '../support/cli.js';
import { findBinary, realProxyCommand } from '../support/real-proxies.js';
import { freePort } from '../support/free-port.js';

// issue #5's auth matrix: HTTP Basic (RFC 7617) and SOCKS5 username/password (RFC 1929). Right
// credentials succeed, wrong or missing ones are `proxy_auth`, and no password is ever shown.
const CI = process.env.CI === 'true';
/** Short runs: only causes and counts are asserted. */
const SHORT = { durationMs: 1000, warmupMs: 200, concurrency: 8 } as const;
/** Distinctive, and with characters a URL must encode, so both spellings are searched for. */
const AUTH: ProxyCredentials = { username: 'pb-user', password: 'pw-Zq7x R3al:9' };
const WRONG_PASSWORD = 'pw-Wr0ng K9:x';
const BODY_BYTES = 1024;

type Credentials = 'right' | 'wrong' | 'missing';
const CREDENTIALS: Readonly<Record<Credentials, ProxyCredentials | undefined>> = {
  right: AUTH,
  wrong: { username: AUTH.username, password: WRONG_PASSWORD },
  missing: undefined,
};

/** Admits every port on 127.0.0.1: the run's origins get ephemeral ports unknown before run() starts. */
class AnyLoopbackPort extends Allowlist {
  constructor() {
    super([]);
  }

  override allows(host: string): boolean {
    return host === '127.0.0.1' || host === '::ffff:127.0.0.1';
  }
}

function proxyUrl(scheme: 'http' | 'socks5', port: number, credentials: Credentials): string {
  const c = CREDENTIALS[credentials];
  const userinfo = c ? `${encodeURIComponent(c.username)}:${encodeURIComponent(c.password)}@` : '';
  return `${scheme}://${userinfo}127.0.0.1:${port}`;
}

/** Neither password, in any spelling, appears in `text` (a report, a log, an error). */
function expectNoPassword(text: string): void {
  for (const password of [AUTH.password, WRONG_PASSWORD]) {
    expect(text).not.toContain(password);
    expect(text).not.toContain(encodeURIComponent(password));
  }
}

/** Right credentials: every request succeeds with its body; otherwise every request is proxy_auth. */
function expectOutcome(report: Report, credentials: Credentials): void {
  const t = report.totals;
  expect(t.requests).toBeGreaterThan(0);
  if (credentials === 'right') {
    expect(t.errors).toEqual({});
    expect(t.successRate).toBe(1);
    expect(t.bytesIn).toBe(t.requests * BODY_BYTES);
  } else {
    expect(t.errors).toEqual({ proxy_auth: t.requests });
    expect(t.successRate).toBe(0);
  }
  expectNoPassword(JSON.stringify(report));
}

/** [scenario, credentials, outcome in words]: arrays, so the test names print without quotes. */
const MATRIX = (['http-get', 'https-connect', 'socks5-http'] as const).flatMap((scenario) =>
  (['right', 'wrong', 'missing'] as const).map((credentials) =>
    [scenario, credentials, credentials === 'right' ? 'succeeds for every request' : 'fails every request as proxy_auth'] as const),
);

describe('the reference proxies with credentials, driven by run()', () => {
  let http: RunningProxyServer;
  let socks5: RunningProxyServer;
  beforeAll(async () => {
    http = await startHttpProxy({ allow: new AnyLoopbackPort(), auth: AUTH });
    socks5 = await startSocks5Proxy({ allow: new AnyLoopbackPort(), auth: AUTH });
  });
  afterAll(async () => {
    await http.close();
    await socks5.close();
  });

  it.each(MATRIX)('%s with %s credentials %s, and the report holds no password', async (scenario, credentials) => {
    const proxy = scenario === 'socks5-http' ? proxyUrl('socks5', socks5.port, credentials) : proxyUrl('http', http.port, credentials);
    const report = await run({ scenario, proxies: [proxy], ...SHORT });
    expectOutcome(report, credentials);
  });

  it.each(['right', 'wrong'] as const)('through the CLI with %s credentials, the password is in neither stdout, stderr nor the report file', async (credentials) => {
    const out = join(await tempDir(), 'r.json');
    const result = await runCli(['run', 'http-get', '--proxy', proxyUrl('http', http.port, credentials), '--duration', '1s', '--warmup', '200ms', '--concurrency', '8', '--out', out]);
    expect(result.code, result.stderr).toBe(credentials === 'right' ? 0 : 1);
    const file = await readFile(out, 'utf8');
    const report = JSON.parse(file) as Report;
    expectOutcome(report, credentials);
    // The report names the proxy it drove, password masked.
    expect(report.config.proxies).toEqual([`http://pb-user:***@127.0.0.1:${http.port}`]);
    expect(result.stdout).toContain(credentials === 'right' ? '100%' : 'proxy_auth');
    expectNoPassword(result.stdout);
    expectNoPassword(result.stderr);
    expectNoPassword(file);
  });
});

describe('microsocks with -u/-P, driven by run() as a spawned SUT', () => {
  const installed = findBinary('microsocks') !== undefined;
  const title = (text: string): string => (installed ? text : `${text} (skipped: not installed here; apt-get install microsocks)`);
  let workDir: string | undefined;
  afterEach(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
    workDir = undefined;
  });

  it.skipIf(!installed && !CI).each(['right', 'wrong', 'missing'] as const)(
    title('socks5-http with %s credentials gets the expected outcome, and neither the report nor its SUT command holds a password'),
    async (credentials) => {
      workDir = mkdtempSync(join(tmpdir(), 'pb-auth-microsocks-'));
      const port = await freePort();
      // The password is on microsocks' own command line, which the report records (redacted).
      const { command } = realProxyCommand('microsocks', { port, auth: AUTH, workDir });
      const report = await run({ scenario: 'socks5-http', proxies: [proxyUrl('socks5', port, credentials)], sut: { kind: 'spawn', command }, ...SHORT });
      expectOutcome(report, credentials);
      expect(report.sut?.command).toContain(`-P '***'`);
    },
  );
});
