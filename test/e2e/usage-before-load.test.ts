import { createServer, type Server, type Socket } from 'node:net';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, UsageError, type RunOptions } from '../../index.js';
import { runCli, tempDir } from '../support/cli.js';
import { syntheticReport } from '../support/synthetic-report.js';

// Everything that can be checked before the load is checked before the load, with the same
// one-line error through the CLI and the typed API. "Before the load" is observed, not timed: the
// proxy the run names is a listener that counts connections, and it must see none.
let proxy: Server;
let proxyPort = 0;
let connections = 0;
let dir = '';
let otherScenarioBaseline = '';

beforeAll(async () => {
  proxy = createServer((socket: Socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyPort = (proxy.address() as { port: number }).port;
  dir = await tempDir();
  otherScenarioBaseline = join(dir, 'baseline-of-http-mixed.json');
  await writeFile(otherScenarioBaseline, JSON.stringify(syntheticReport({ scenario: 'http-mixed', kinds: { 'get-1k': { latenciesMs: [1, 2, 3], requestsPerSecond: [3, 3] } } })));
});

afterAll(async () => {
  await new Promise<void>((resolve) => proxy.close(() => resolve()));
});

interface Case {
  readonly name: string;
  /** Extra CLI flags after `run http-get --proxy … -d 2s`. */
  readonly flags: readonly string[];
  /** The same mistake through the typed API. */
  readonly options: Partial<RunOptions>;
  /** What the one-line error must say (the flag, and what is wrong). */
  readonly message: RegExp;
}

const CASES = (): Case[] => [
  { name: 'a threshold naming a kind the scenario lacks', flags: ['-t', 'get-1kk.p99<20ms'], options: { thresholds: ['get-1kk.p99<20ms'] }, message: /--threshold.*get-1kk.*its kinds: get-1k/ },
  { name: 'a sut.* threshold with no process sampled', flags: ['-t', 'sut.rssPeakMiB<64'], options: { thresholds: ['sut.rssPeakMiB<64'] }, message: /--threshold.*sut\.rssPeakMiB<64.*--sut/ },
  { name: 'a report path in a folder that does not exist', flags: ['-o', '/nonexistent-pb-dir/x.json'], options: { out: '/nonexistent-pb-dir/x.json' }, message: /--out.*does not exist/ },
  { name: 'a Markdown path in a folder that does not exist', flags: ['--md', '/nonexistent-pb-dir/x.md'], options: { views: { markdown: '/nonexistent-pb-dir/x.md' } }, message: /--md.*does not exist/ },
  { name: 'a JUnit path that is a folder', flags: ['--junit', '/tmp'], options: { views: { junit: '/tmp' } }, message: /--junit.*is a folder/ },
  { name: 'an HTML path the report also writes', flags: ['--html', 'same.json', '-o', 'same.json'], options: { views: { html: 'same.json' }, out: 'same.json' }, message: /--html.*--out writes too/ },
  { name: 'a baseline of another scenario', flags: ['--baseline', '{BASELINE}'], options: { baseline: '{BASELINE}' }, message: /--baseline.*scenario 'http-mixed'.*'http-get'/ },
  { name: 'a tolerance without a baseline', flags: ['-t', 'p99:5%'], options: { thresholds: ['p99:5%'] }, message: /--threshold.*'p99:5%' is a tolerance.*--baseline/ },
  { name: 'a rate with a concurrency', flags: ['--rate', '100', '--concurrency', '5'], options: { rate: 100, concurrency: 5 }, message: /--rate.*cannot be combined with --concurrency/ },
];

const withBaseline = (text: string): string => text.replace('{BASELINE}', otherScenarioBaseline);

describe('mistakes found before the load, the same way through the CLI and the typed API', () => {
  it.each(CASES().map((c) => [c.name, c] as const))('%s: exit 2, one line, no connection to the proxy, no report', async (_name, c) => {
    const before = connections;
    const out = join(dir, `${c.name.replace(/\W+/g, '-')}.json`);
    const flags = c.flags.map(withBaseline);
    const args = ['run', 'http-get', '--proxy', `http://127.0.0.1:${proxyPort}`, '-d', '2s', '--warmup', '0s', ...(flags.includes('-o') ? [] : ['-o', out]), ...flags];
    const result = await runCli(args);
    expect(result.code, result.stderr).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(c.message);
    expect(existsSync(out)).toBe(false);

    const options: RunOptions = {
      scenario: 'http-get', proxies: [`http://127.0.0.1:${proxyPort}`], durationMs: 2000, warmupMs: 0, out,
      ...c.options,
      ...(c.options.baseline ? { baseline: withBaseline(c.options.baseline) } : {}),
    };
    const error = await run(options).then(() => undefined, (err: unknown) => err);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).code).toBe('PB_ERR_USAGE');
    // The CLI's line is the library's message, prefixed.
    expect(lines[0]).toBe(`proxybench: ${(error as UsageError).message}`);
    expect(connections).toBe(before);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a flag given twice that takes one value', async () => {
    const result = await runCli(['run', 'http-get', '-d', '1s', '-o', join(dir, 'a.json'), '-o', join(dir, 'b.json')]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr.trim()).toMatch(/^proxybench: --out: was given 2 times .*; give it once$/);
  });

  it('refuses a backoff factor below 1, saying it needs at least 1', async () => {
    const result = await runCli(['run', 'http-get', '-d', '1s', '--backoff-factor', 'abc']);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr.trim()).toBe("proxybench: --backoff-factor: expects a number ≥ 1 (got 'abc')");
  });
});
