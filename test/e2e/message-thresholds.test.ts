import { access, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../reports/schema.js';
import { runCli, tempDir, type CliResult } from '../support/cli.js';

/**
 * Message thresholds through the CLI as a user gives them: a user scenario running `tcp-echo`
 * through the embedded CONNECT proxy, gated on its messages' RTT, rate and loss. The limits are far
 * from anything a run measures, so they test the wiring (which figure, which exit code), never the
 * speed: `rtt.p99<60s` and `messagesPerSecond>=1` always pass, `lossRate>0.5` never does.
 */

const ECHO_SCENARIO = {
  name: 'echo-gates',
  mix: [{ kind: 'echo', protocol: 'connect', operation: { op: 'tcp-echo', messageBytes: '1KiB', messages: 20 } }],
  defaults: { duration: '1500ms', warmup: '0s', concurrency: 4 },
};
const HTTP_SCENARIO = {
  name: 'http-only',
  mix: [{ kind: 'get', protocol: 'http-forward', operation: { op: 'download', bytes: '1KiB' } }],
  defaults: { duration: '1s', warmup: '0s', concurrency: 2 },
};
const MIXED_SCENARIO = { ...ECHO_SCENARIO, name: 'echo-and-get', mix: [...ECHO_SCENARIO.mix, ...HTTP_SCENARIO.mix] };

let dir = '';
const files = { echo: '', http: '', mixed: '' };

function gates(...expressions: string[]): string[] {
  return expressions.flatMap((t) => ['--threshold', t]);
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

beforeAll(async () => {
  dir = await tempDir();
  for (const [key, scenario] of [['echo', ECHO_SCENARIO], ['http', HTTP_SCENARIO], ['mixed', MIXED_SCENARIO]] as const) {
    files[key] = join(dir, `${scenario.name}.json`);
    await writeFile(files[key], JSON.stringify(scenario));
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('run a tcp-echo scenario gated on its messages', () => {
  let passing: CliResult;
  let report: Report;
  const out = (): { json: string; md: string; junit: string } => ({ json: join(dir, 'pass.json'), md: join(dir, 'pass.md'), junit: join(dir, 'pass.xml') });

  beforeAll(async () => {
    const paths = out();
    passing = await runCli(['run', files.echo, '--workers', '1', ...gates('echo.rtt.p99<60s', 'messagesPerSecond>=1'), '--out', paths.json, '--md', paths.md, '--junit', paths.junit]);
    report = JSON.parse(await readFile(paths.json, 'utf8')) as Report;
  }, 60_000);

  it('passes echo.rtt.p99<60s and messagesPerSecond>=1 (exit 0) on the figures the report holds', () => {
    expect(passing.code, passing.stderr).toBe(0);
    const echo = report.byKind.echo;
    expect(echo?.successes).toBeGreaterThan(0);
    expect(echo?.messages?.sent).toBe(echo!.requests * 20);
    expect(echo?.messages?.received).toBe(echo!.messages!.sent);
    expect(report.thresholds).toEqual([
      { expression: 'echo.rtt.p99<60s', metric: 'rtt.p99', kind: 'echo', op: '<', limit: 60_000, value: echo?.rttMs?.p99, passed: true },
      { expression: 'messagesPerSecond>=1', metric: 'messagesPerSecond', op: '>=', limit: 1, value: report.totals.messagesPerSecond, passed: true },
    ]);
  });

  it('shows the messages and the gates on the console, in Markdown and in JUnit', async () => {
    const sent = report.byKind.echo?.messages?.sent;
    expect(passing.stdout).toMatch(new RegExp(`^messages echo: ${sent} sent, ${sent} received, 0 lost · [\\d.]+ msg/s · rtt p50/p99 [\\d.]+/[\\d.]+ ms$`, 'm'));
    expect(passing.stdout).toMatch(/^threshold ✓ pass {2}echo\.rtt\.p99<60s {2}\(echo\.rtt\.p99 = [\d.]+ ms\)$/m);
    const markdown = await readFile(out().md, 'utf8');
    expect(markdown).toContain('#### Messages');
    expect(markdown).toMatch(new RegExp(`\\| echo \\| ${sent} \\| ${sent} \\| 0 \\| 0% \\|`));
    const junit = await readFile(out().junit, 'utf8');
    expect(junit).toContain('<testcase classname="proxybench.thresholds" name="messagesPerSecond&gt;=1" time="0"/>');
  });

  it('fails lossRate>0.5 (exit 1): nothing was lost', async () => {
    const json = join(dir, 'fail.json');
    const failing = await runCli(['run', files.echo, '--workers', '1', '--duration', '1s', ...gates('lossRate>0.5', 'messages.lost==0'), '--out', json]);
    expect(failing.code, failing.stderr).toBe(1);
    const failed = JSON.parse(await readFile(json, 'utf8')) as Report;
    expect(failed.totals.messages?.sent).toBeGreaterThan(0);
    expect(failed.thresholds.map((t) => [t.expression, t.value, t.passed])).toEqual([
      ['lossRate>0.5', 0, false],
      ['messages.lost==0', 0, true],
    ]);
    expect(failing.stdout).toMatch(/^threshold ✗ FAIL {2}lossRate>0\.5 {2}\(lossRate = 0%\)$/m);
  }, 60_000);
});

describe('a message threshold where no kind exchanges messages', () => {
  it.each([
    ['an HTTP-only scenario', 'http', 'rtt.p99<20ms', "--threshold: 'rtt.p99<20ms' is a message figure, and scenario 'http-only' has no kind that exchanges messages"],
    ['the HTTP kind of a mixed scenario', 'mixed', 'get.lossRate<0.001', "--threshold: 'get.lossRate<0.001' is a message figure, and request kind 'get' exchanges no messages"],
  ] as const)('is refused before the load on %s: exit 2, one line', async (_what, file, expression, message) => {
    const json = join(dir, `refused-${file}.json`);
    const result = await runCli(['run', files[file], ...gates(expression), '--out', json]);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`proxybench: ${message}`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(await exists(json)).toBe(false);
  }, 30_000);
});
