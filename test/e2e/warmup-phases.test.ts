import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../reports/schema.js';
import { runCli, tempDir } from '../support/cli.js';

/** proxy-mixed's kinds: which setup phases a connection of each goes through. */
const KINDS = {
  'http-get-1k': { handshake: false, tls: false },
  'connect-get-1k': { handshake: true, tls: true },
  'socks5-get-1k': { handshake: true, tls: false },
  'socks5-get-64k': { handshake: true, tls: false },
} as const;

describe('warm-up is in no figure, setup phases included', () => {
  it("in a keep-alive run with warm-up, each kind's setup-phase counts equal the connections its measured requests opened", async () => {
    const out = join(await tempDir(), 'r.json');
    const result = await runCli(['run', 'proxy-mixed', '--duration', '1500ms', '--warmup', '500ms', '--concurrency', '6', '--workers', '1', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    expect(report.totals.successRate).toBe(1);
    // Keep-alive: measured requests went on connections opened in warm-up.
    expect(report.totals.connections.reused).toBeGreaterThan(0);
    expect(Object.keys(report.byKind).sort()).toEqual(Object.keys(KINDS).sort());
    for (const [name, phases] of Object.entries(KINDS)) {
      const kind = report.byKind[name]!;
      const opened = kind.connections.opened;
      expect(kind.phasesMs.connect.count, name).toBe(opened);
      expect(kind.phasesMs.proxyHandshake.count, name).toBe(phases.handshake ? opened : 0);
      expect(kind.phasesMs.tls.count, name).toBe(phases.tls ? opened : 0);
    }
    expect(report.totals.phasesMs.connect.count).toBe(report.totals.connections.opened);
  });
});
