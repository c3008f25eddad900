import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../reports/schema.js';
import { runCli, tempDir } from '../support/cli.js';

/**
 * The report keys every per-kind figure by the kind's name, in plain objects (byKind, series,
 * thresholds, merge, compare): a name a plain object already answers to would be read as the
 * built-in, or (`__proto__`) vanish on assignment. Such names are refused up front.
 */
describe('a scenario whose mix names a kind like a built-in object property', () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])('is refused with a usage error naming the field (%s)', async (reserved) => {
    const dir = await tempDir();
    const file = join(dir, 'reserved.json');
    const scenario = {
      name: 'reserved-kind',
      mix: [
        { name: 'get-1k', weight: 1, protocol: 'http-forward', operation: { op: 'download', bytes: '1KiB' } },
        { name: reserved, weight: 1, protocol: 'http-forward', operation: { op: 'download', bytes: 512 } },
      ],
    };
    await writeFile(file, JSON.stringify(scenario));
    const out = join(dir, 'r.json');
    const result = await runCli(['run', file, '--duration', '1s', '--warmup', '0s', '--concurrency', '2', '--out', out]);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`scenario.mix[1].name: '${reserved}' is reserved`);
    expect(lines[0]).toMatch(/choose another name/);
    expect(result.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });

  it('still runs names that merely contain those words, each with its own byKind entry', async () => {
    const dir = await tempDir();
    const file = join(dir, 'near-miss.json');
    const names = ['proto', 'my-constructor', 'toString2'];
    const mix = names.map((name) => ({ name, weight: 1, protocol: 'http-forward', operation: { op: 'download', bytes: 256 } }));
    await writeFile(file, JSON.stringify({ name: 'near-miss', mix }));
    const out = join(dir, 'r.json');
    const result = await runCli(['run', file, '--requests', '60', '--duration', '10s', '--warmup', '0s', '--concurrency', '2', '--workers', '1', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    expect(Object.keys(report.byKind).sort()).toEqual([...names].sort());
    expect(names.reduce((n, name) => n + report.byKind[name]!.requests, 0)).toBe(report.totals.requests);
  });
});
