import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Report } from '../../reports/schema.js';
import { startTamperingSocks5Proxy, type Tamper, type TamperingProxy } from '../fixtures/tampering-socks5-proxy.js';
import { runCli, tempDir } from '../support/cli.js';

// issue #12: socks5-tcp as a user runs it through a SOCKS5 proxy that harms tunnels
// (test/fixtures/tampering-socks5-proxy.ts): which sessions fail, as what, and the exit code.

let proxy: TamperingProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

/** Runs socks5-tcp through a fresh tampering proxy, plus `args`; returns the exit code and the report. */
async function through(tamper: Tamper, args: readonly string[]): Promise<{ code: number | null; report: Report }> {
  proxy = await startTamperingSocks5Proxy(tamper);
  const out = join(await tempDir(), 'report.json');
  const result = await runCli(['run', 'socks5-tcp', '--proxy', `socks5://127.0.0.1:${proxy.port}`, '--warmup', '0s', '--workers', '1', ...args, '--out', out]);
  return { code: result.code, report: JSON.parse(await readFile(out, 'utf8')) as Report };
}

describe('socks5-tcp through a SOCKS5 proxy that harms tunnels (CLI)', () => {
  it('one tunnel in 4 with a flipped byte: exactly those sessions fail as integrity; exit 0, or 1 under a success-rate threshold', async () => {
    const loose = await through({ kind: 'flip', every: 4, direction: 'down', atByte: 100 }, ['--requests', '4', '--concurrency', '2']);
    const looseStats = proxy!.stats();
    expect(looseStats).toEqual({ tunnels: 4, tampered: 1 });
    expect(loose.report.totals.errors).toEqual({ integrity: looseStats.tampered });
    expect(loose.report.totals.successes).toBe(3);
    // Failures alone are no failed run: exit 1 needs a threshold, a regression or every request failed.
    expect(loose.code).toBe(0);
    await proxy!.close();

    const gated = await through({ kind: 'flip', every: 4, direction: 'down', atByte: 100 }, ['--requests', '8', '--concurrency', '2', '--threshold', 'successRate>=0.99']);
    const stats = proxy!.stats();
    expect(stats).toEqual({ tunnels: 8, tampered: 2 });
    expect(gated.report.totals.errors).toEqual({ integrity: 2 });
    expect(gated.report.totals.successes).toBe(6);
    expect(gated.report.thresholds.map((t) => [t.expression, t.passed])).toEqual([['successRate>=0.99', false]]);
    expect(gated.code).toBe(1);
  });

  it('a proxy that ends every tunnel mid-stream: every session is reset, exit 1', async () => {
    const { code, report } = await through({ kind: 'cut', direction: 'down', afterBytes: 1000 }, ['--requests', '6', '--concurrency', '2']);
    expect(report.totals.errors).toEqual({ reset: 6 });
    expect(report.warnings.map((w) => w.code)).toContain('all_failed');
    expect(code).toBe(1);
  });

  it('a proxy whose tunnels stay silent: every session is timeout_idle under --idle-timeout 300ms, exit 1', async () => {
    const { code, report } = await through({ kind: 'silent' }, ['--requests', '4', '--concurrency', '2', '--idle-timeout', '300ms']);
    expect(report.totals.errors).toEqual({ timeout_idle: 4 });
    expect(code).toBe(1);
  });
});
