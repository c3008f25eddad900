import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTolerance } from '../../reports/compare/tolerances.js';
import type { ThresholdResult } from '../../reports/schema.js';
import { writeReportJson } from '../../reports/writers/json-file.js';
import { runCli } from '../support/cli.js';
import { latencySamples, noisyCounts, syntheticReport } from '../support/synthetic-report.js';

/**
 * `run` and `compare` split their `--threshold` values into tolerances and gates with one rule
 * (reports/compare/tolerances.ts isTolerance): the same expression is the same thing to both, shown
 * through the CLI of each.
 * Kinds are `get-1k`, the kind of the built-in `http-get`, so a gate naming it applies to both.
 */
const SPLIT: readonly (readonly [string, 'tolerance' | 'gate'])[] = [
  ['p99:+5%', 'tolerance'],
  // Once a gate with a typo to `run` and a tolerance to `compare`.
  ['p99:5%', 'tolerance'],
  ['p99 : +5%', 'tolerance'],
  ['max:+2ms', 'tolerance'],
  ['get-1k.successRate:-0.5pt', 'tolerance'],
  ['total.errorRate:+1pt', 'tolerance'],
  ['p99<50ms', 'gate'],
  ['successRate>=99%', 'gate'],
  ['get-1k.p50<=1s', 'gate'],
  ['errors.timeout_total==0', 'gate'],
];

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pb-split-'));
  const report = syntheticReport({ scenario: 'http-get', kinds: { 'get-1k': { latenciesMs: latencySamples(400, 10, 1), requestsPerSecond: noisyCounts(4, 100, 0.03, 1) } } });
  await writeReportJson(join(dir, 'base.json'), report);
  await writeReportJson(join(dir, 'current.json'), report);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.each(SPLIT)('--threshold %s', (expression, expected) => {
  it(`is a ${expected} to isTolerance`, () => {
    expect(isTolerance(expression)).toBe(expected === 'tolerance');
  });

  it(`is a ${expected} to compare (a gate is evaluated on the current report, a tolerance is not)`, async () => {
    const out = join(dir, `${SPLIT.findIndex(([e]) => e === expression)}.json`);
    const result = await runCli(['compare', join(dir, 'base.json'), join(dir, 'current.json'), '--threshold', expression, '--json', out]);
    expect(result.code, result.stderr).toBe(0);
    const written = JSON.parse(await readFile(out, 'utf8')) as { thresholds: ThresholdResult[] };
    expect(written.thresholds.map((t) => t.expression)).toEqual(expected === 'gate' ? [expression] : []);
  });

  it(`is a ${expected} to run (without --baseline a tolerance is refused, a gate accepted)`, async () => {
    // --out into a folder that does not exist: the run stops at that usage error, after the
    // thresholds were split and parsed, so no load is driven either way.
    const result = await runCli(['run', 'http-get', '--threshold', expression, '--out', join(dir, 'missing', 'r.json')]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    if (expected === 'tolerance') expect(result.stderr).toContain(`'${expression}' is a tolerance against a baseline: add --baseline FILE`);
    else expect(result.stderr).toContain('--out: cannot write');
  });
});
