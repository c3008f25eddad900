import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveRunConfig } from '../../harness/config/run-config.js';
import { startRunTargets } from '../../harness/run/start-targets.js';
import { runCli, tempDir } from '../support/cli.js';

/**
 * `run --target` refuses what it cannot carry out before any load, with one line on stderr naming
 * the flag or field (exit 2); and a run with targets starts no mock target: the embedded proxy's
 * allowlist is exactly the named targets' addresses.
 */

const TARGET = 'http://127.0.0.1:9/file';

async function expectUsage(args: readonly string[], fieldAndWords: RegExp): Promise<void> {
  const dir = await tempDir();
  const result = await runCli(['run', ...args, '--out', join(dir, 'r.json')]);
  expect(result.code, result.stderr).toBe(2);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]!.startsWith('proxybench: ')).toBe(true);
  expect(lines[0]!.slice('proxybench: '.length)).toMatch(fieldAndWords);
  expect(result.stderr).not.toMatch(/\bat .*\.js:\d+/);
}

describe('run --target usage errors', () => {
  it.each([
    [['--target', 'ftp://127.0.0.1/file'], /^--target: scheme 'ftp' is not supported; a target is an http:\/\/ or https:\/\/ URL$/],
    [['--target', 'not a url'], /^--target: expects an http:\/\/ or https:\/\/ URL/],
    [['--target', 'http://u:pw@127.0.0.1:9/file#x'], /^--target: a target URL has no #fragment.*http:\/\/\*\*\*@127\.0\.0\.1:9\/file#x/],
    [['--target', TARGET, '--target-sha256', 'abc'], /^--target-sha256: expects a SHA-256 digest as 64 hex digits/],
    [['--target', TARGET, '--target', TARGET, '--target-sha256', 'a'.repeat(64)], /^--target-sha256: give one per --target, in the same order .*got 1 for 2 target/],
    [['--target-sha256', 'a'.repeat(64)], /^--target-sha256: .*give --target URL too$/],
    [['--target', TARGET, '--targets', '{"http":"http://127.0.0.1:9"}'], /^--target: drives your own upstreams, and --targets names standalone mock targets/],
    [['--target', TARGET, '--origin-host', '127.0.0.1'], /^--origin-host: places the run's own mock origins; a run with --target starts none$/],
    [['--target', TARGET, '--proxy', 'http://127.0.0.1:9', '--proxy', 'socks5://127.0.0.1:9'], /^--proxy: with --target give one proxy/],
    [['--target', TARGET, '--target-ca', '/nonexistent/ca.pem'], /^--target-ca: cannot read \/nonexistent\/ca\.pem: ENOENT$/],
    [['--target', TARGET, '--target-ca', 'package.json'], /^--target-ca: .*holds no PEM certificate/],
    [['--target-ca', 'package.json'], /^--target-ca: applies to https:\/\/ targets of your own; give --target https:\/\/… too$/],
  ])('%j is refused', async (flags, message) => {
    await expectUsage(['http-get', ...flags], message);
  });

  it('refuses a hold scenario', async () => {
    await expectUsage(['many-connections', '--target', TARGET], /^--target: drives a request loop; scenario 'many-connections' holds connections instead/);
  });

  it('refuses a scenario file whose targets are wrong, naming the field', async () => {
    const dir = await tempDir();
    const cases: [unknown, RegExp][] = [
      [{ name: 's', targets: [{ url: 'gopher://x/' }] }, /^scenario\.targets\[0\]\.url: scheme 'gopher' is not supported/],
      [{ name: 's', targets: [{ url: TARGET, sha256: 'xyz' }] }, /^scenario\.targets\[0\]\.sha256: expects a SHA-256 digest/],
      [{ name: 's', targets: [{ url: TARGET, digest: 'x' }] }, /^scenario\.targets\[0\]\.digest: is not a target field/],
      [{ name: 's', targets: [] }, /^scenario\.targets: expects a non-empty array of targets/],
      [{ name: 's', targets: [{ url: TARGET }], mix: [] }, /^scenario\.mix: a scenario with targets takes its mix from them/],
    ];
    for (const [i, [scenario, message]] of cases.entries()) {
      const file = join(dir, `s${i}.json`);
      await writeFile(file, JSON.stringify(scenario));
      await expectUsage([file], message);
    }
  });
});

describe('a run with targets and the embedded proxy', () => {
  it('starts no mock target and admits exactly the named targets\' addresses', async () => {
    const config = await resolveRunConfig({
      scenario: 'http-mixed',
      userTargets: ['http://127.0.0.1:18080/a', { url: 'http://localhost:18081/b', sha256: 'A'.repeat(64) }, 'http://127.0.0.1:18080/c'],
    });
    expect(config.embeddedProxies).toBe(true);
    expect(config.scenario.mix.map((m) => [m.kind, m.protocol, m.operation])).toEqual([
      ['127.0.0.1-18080-a', 'http-forward', { op: 'get-target', url: 'http://127.0.0.1:18080/a' }],
      ['localhost-18081-b', 'http-forward', { op: 'get-target', url: 'http://localhost:18081/b', sha256Hex: 'a'.repeat(64) }],
      ['127.0.0.1-18080-c', 'http-forward', { op: 'get-target', url: 'http://127.0.0.1:18080/c' }],
    ]);
    // The scenario gives the load defaults still.
    expect(config.load).toEqual({ model: 'closed', concurrency: 50 });
    const targets = await startRunTargets(config);
    try {
      expect(targets.http).toBeUndefined();
      expect(targets.https).toBeUndefined();
      expect(targets.streams).toEqual({});
      const { lookup } = await import('node:dns/promises');
      const localhost = (await lookup('localhost', { all: true })).map((a) => ({ host: a.address, port: 18081 }));
      expect(new Set(targets.addresses.map((a) => `${a.host}:${a.port}`))).toEqual(
        new Set(['127.0.0.1:18080', ...localhost.map((a) => `${a.host}:${a.port}`)]),
      );
    } finally {
      await targets.close();
    }
  });

  it('names kinds readably and uniquely', async () => {
    const config = await resolveRunConfig({
      scenario: 'http-get',
      userTargets: ['https://Example.COM/files/a.bin?v=2', 'http://example.com/files/a.bin?v=2', 'http://example.com:80/files/a.bin?v=2', 'http://[::1]:8080/'],
    });
    expect(config.scenario.mix.map((m) => [m.kind, m.protocol])).toEqual([
      ['example.com-443-files-a.bin-v-2', 'connect'],
      ['example.com-80-files-a.bin-v-2', 'http-forward'],
      ['example.com-80-files-a.bin-v-2-2', 'http-forward'],
      ['1-8080', 'http-forward'],
    ]);
  });
});
