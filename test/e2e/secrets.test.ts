import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../index.js';
import { runCli, tempDir } from '../support/cli.js';
import { findBinary } from '../support/real-proxies.js';
import { freePort } from '../support/free-port.js';

// No secret given to a run — in --proxy, in the --sut command (also inside an `sh -c` script),
// or in a secret-named --sut-env variable — may appear in any output: stdout, stderr, the JSON
// report, Markdown, JUnit or HTML.
const CI = process.env.CI === 'true';
const microsocks = findBinary('microsocks');
const SUT_PASSWORD = 'hunter2-Sut9';
const PROXY_PASSWORD = 'wrongpw-Prx7';
const ENV_SECRET = 'envtok-Q4z8';

describe.skipIf(!microsocks && !CI)('secrets never reach an output', () => {
  it('hides a password that is only inside an sh -c SUT script and differs from the --proxy password', async () => {
    const port = await freePort();
    const dir = await tempDir();
    const out = join(dir, 'r.json');
    const script = `exec ${microsocks!} -i 127.0.0.1 -p ${port} -u pb -P ${SUT_PASSWORD}`;
    const result = await runCli([
      'run', 'socks5-http',
      '--proxy', `socks5://pb:${PROXY_PASSWORD}@127.0.0.1:${port}`,
      '--sut', `sh -c '${script}'`,
      '--sut-env', `PROXY_TOKEN=${ENV_SECRET}`,
      '--duration', '1s', '--warmup', '200ms', '--concurrency', '4',
      '--out', out, '--md', join(dir, 'r.md'), '--junit', join(dir, 'r.xml'), '--html', join(dir, 'r.html'),
    ]);
    // Wrong credentials: every request fails as proxy_auth, so the run fails (exit 1).
    expect(result.code, result.stderr).toBe(1);
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    expect(report.totals.errors['proxy_auth']).toBe(report.totals.requests);
    expect(report.config.sut).toMatchObject({ kind: 'spawn', env: ['PROXY_TOKEN'] });
    const files = await readdir(dir);
    expect(files.sort()).toEqual(['r.html', 'r.json', 'r.md', 'r.xml']);
    const outputs = [result.stdout, result.stderr, ...(await Promise.all(files.map((f) => readFile(join(dir, f), 'utf8'))))];
    for (const text of outputs) {
      for (const secret of [SUT_PASSWORD, PROXY_PASSWORD, ENV_SECRET]) expect(text).not.toContain(secret);
    }
  });

  it('hides a --proxy password that holds an @, read as curl reads it', async () => {
    const port = await freePort();
    const dir = await tempDir();
    const out = join(dir, 'r.json');
    // Nothing listens: the run fails fast as proxy_unreachable, and the URL shows in the report.
    const result = await runCli(['run', 'http-get', '--proxy', `http://u:sec@ret-At5@127.0.0.1:${port}`, '--duration', '500ms', '--warmup', '0s', '--out', out]);
    expect(result.code, result.stderr).toBe(1);
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    expect(report.config.proxies).toEqual([`http://u:***@127.0.0.1:${port}`]);
    for (const text of [result.stdout, result.stderr, JSON.stringify(report)]) {
      expect(text).not.toContain('ret-At5');
      expect(text).not.toContain('sec@');
    }
  });
});
