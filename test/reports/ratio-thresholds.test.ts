import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.js';
import { ToleranceTable } from '../../reports/compare/tolerances.js';
import { evaluateThresholds } from '../../reports/thresholds/evaluate-thresholds.js';
import { parseThreshold } from '../../reports/thresholds/parse-threshold.js';
import { runCli } from '../support/cli.js';
import { syntheticReport } from '../support/synthetic-report.js';

/** The UsageError `fn` throws (or undefined), so a table can check its field and message. */
function usageErrorOf(fn: () => unknown): UsageError | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
  return undefined;
}

describe('a threshold on a ratio (0..1) metric', () => {
  it.each([
    ['successRate>=99%', 0.99],
    ['successRate>=0.99', 0.99],
    ['errorRate<5%', 0.05],
    ['errorRate<0.05', 0.05],
    ['errorRate==0', 0],
    ['successRate>=1', 1],
    ['successRate>=100%', 1],
    ['errorRate.timeout_total<0.1%', 0.001],
    ['connections.reuseRatio>=90%', 0.9],
    ['get-1k.successRate>=99.5%', 0.995],
  ])('reads %s as %f', (expression, limit) => {
    expect(parseThreshold(expression).limit).toBeCloseTo(limit, 12);
  });

  it.each([
    ['successRate>=99', 'write 0.99 or 99%'],
    ['errorRate<5', 'write 0.05 or 5%'],
    ['errorRate.timeout_ttfb<2', 'write 0.02 or 2%'],
    ['get-1k.successRate>=99.5', 'write 0.995 or 99.5%'],
    ['connections.reuseRatio>90', 'write 0.9 or 90%'],
    ['held.establishedRatio>=99.9', 'write 0.999 or 99.9%'],
    ['successRate>=150%', 'write 0.99 or 99%'],
    ['errorRate<1000', 'write 0.99 or 99%'],
  ])('refuses %s as a usage error saying "%s"', (expression, hint) => {
    const error = usageErrorOf(() => parseThreshold(expression));
    expect(error?.field).toBe('--threshold');
    expect(error?.message).toContain(`'${expression}'`);
    expect(error?.message).toContain('is a ratio from 0 to 1');
    expect(error?.message).toContain(hint);
  });

  it('fails errorRate<5% on a run where half the requests failed (the limit is 0.05, not 5)', () => {
    const report = syntheticReport({
      kinds: { get: { latenciesMs: [1, 2, 3], requestsPerSecond: [100, 100], failuresPerSecond: [50, 50] } },
    });
    const [result] = evaluateThresholds(report, [parseThreshold('errorRate<5%')]);
    expect(result).toMatchObject({ value: 0.5, limit: 0.05, passed: false });
  });

  it('refuses an absolute tolerance above 1 on a ratio, which could never trip', () => {
    const error = usageErrorOf(() => new ToleranceTable(['errorRate:+5']));
    expect(error?.message).toContain('write 5pt (percentage points) or 0.05');
    expect(() => new ToleranceTable(['errorRate:+0.5pt', 'successRate:-0.01', 'errorRate.reset:+5%'])).not.toThrow();
  });
});

describe('the CLI refuses a ratio threshold outside 0..1 (exit 2, one line)', () => {
  it.each([
    [['run', 'http-get', '--duration', '1s', '--threshold', 'successRate>=99'], 'successRate>=99', 'write 0.99 or 99%'],
    [['run', 'http-get', '--duration', '1s', '--threshold', 'errorRate<5'], 'errorRate<5', 'write 0.05 or 5%'],
    // compare parses its thresholds before it reads the report files, so none are needed here.
    [['compare', 'base.json', 'current.json', '--threshold', 'successRate>=99'], 'successRate>=99', 'write 0.99 or 99%'],
  ])('%j', async (args, expression, hint) => {
    const result = await runCli(args);
    expect(result.code, result.stderr).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(expression);
    expect(lines[0]).toContain(hint);
  });
});
