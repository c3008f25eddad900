import { describe, expect, it } from 'vitest';
import type { Report } from '../../reports/schema.js';
import { evaluateThresholds } from '../../reports/thresholds/evaluate-thresholds.js';
import { parseThreshold } from '../../reports/thresholds/parse-threshold.js';
import { formatThresholdLines } from '../../reports/writers/threshold-lines.js';
import { syntheticReport } from '../support/synthetic-report.js';

/**
 * Latency figures count successes only; a latency threshold at percentile p fails as not measurable
 * when more than (100 − p) % of the requests failed (max and mean: any), since the failed ones would
 * occupy that percentile (reports/thresholds/evaluate-thresholds.ts).
 */

/** 1,000 requests of one kind over 2 s, `failed` of them timeouts; successes 1..N µs-spaced below 2 ms. */
function runWith(failed: number): Report {
  return syntheticReport({
    kinds: {
      get: {
        latenciesMs: Array.from({ length: 1000 - failed }, (_, i) => 0.5 + i * 0.001),
        requestsPerSecond: [500, 500],
        failuresPerSecond: [failed, 0],
        failureCause: 'timeout_total',
        ttfbFraction: 0.5,
      },
    },
  });
}

function evaluate(report: Report, expression: string): { passed: boolean; reason?: string } {
  const [result] = evaluateThresholds(report, [parseThreshold(expression)]);
  if (!result) throw new Error('no result');
  return result;
}

describe('a latency threshold when requests failed', () => {
  it.each([
    // failed of 1000, threshold, passes, reason
    [0, 'max<1s', true, undefined],
    [0, 'mean<1s', true, undefined],
    [10, 'p99<1s', true, undefined], // exactly 1 % failed: not more than p99 leaves above it
    [11, 'p99<1s', false, 'p99 not measurable: 1.1 % of requests failed (> 1 %)'],
    [10, 'p999<1s', false, 'p999 not measurable: 1 % of requests failed (> 0.1 %)'],
    [1, 'p999<1s', true, undefined],
    [2, 'p999<1s', false, 'p999 not measurable: 0.2 % of requests failed (> 0.1 %)'],
    [1, 'max<1s', false, 'max not measurable: 0.1 % of requests failed (> 0 %)'],
    [1, 'mean<1s', false, 'mean not measurable: 0.1 % of requests failed (> 0 %)'],
    [50, 'p95<1s', true, undefined],
    [51, 'p95<1s', false, 'p95 not measurable: 5.1 % of requests failed (> 5 %)'],
    [333, 'p90<1s', false, 'p90 not measurable: 33.3 % of requests failed (> 10 %)'],
    [333, 'p50<1s', true, undefined],
    [501, 'p50<1s', false, 'p50 not measurable: 50.1 % of requests failed (> 50 %)'],
    [333, 'serviceTime.p99<1s', false, 'serviceTime.p99 not measurable: 33.3 % of requests failed (> 1 %)'],
    [333, 'get.p99<1s', false, 'get.p99 not measurable: 33.3 % of requests failed (> 1 %)'],
    // Phases count the phases that happened, not requests: not gated on failures (README, thresholds).
    [333, 'ttfb.p99<1s', true, undefined],
  ])('%i failed of 1000: %s passes %s', (failed, expression, passed, reason) => {
    const result = evaluate(runWith(failed), expression);
    expect(result.passed).toBe(passed);
    expect(result.reason).toBe(reason);
  });

  it('fails whatever the value, and keeps the value of the successes', () => {
    const report = runWith(333);
    const [result] = evaluateThresholds(report, [parseThreshold('p99<1s')]);
    expect(result?.value).toBe(report.totals.latencyMs.p99);
    expect(result?.value).toBeLessThan(1000);
    expect(result?.passed).toBe(false);
  });

  it('judges a kind by its own failures and the total by all of them', () => {
    const report = syntheticReport({
      kinds: {
        fast: { latenciesMs: [1, 2, 3], requestsPerSecond: [200, 200] },
        slow: { latenciesMs: [1, 2, 3], requestsPerSecond: [100, 100], failuresPerSecond: [50, 50], failureCause: 'timeout_total' },
      },
    });
    expect(evaluate(report, 'fast.p99<1s')).toMatchObject({ passed: true });
    expect(evaluate(report, 'slow.p99<1s')).toMatchObject({ passed: false, reason: 'slow.p99 not measurable: 50 % of requests failed (> 1 %)' });
    expect(evaluate(report, 'p99<1s')).toMatchObject({ passed: false, reason: 'p99 not measurable: 16.67 % of requests failed (> 1 %)' });
    expect(evaluate(report, 'p50<1s')).toMatchObject({ passed: true });
  });

  it('fails a kind that made no request, rather than passing on zeros', () => {
    const report = syntheticReport({
      kinds: { get: { latenciesMs: [1], requestsPerSecond: [10] }, idle: { latenciesMs: [1], requestsPerSecond: [0] } },
    });
    expect(evaluate(report, 'idle.p99<1s')).toEqual(expect.objectContaining({ passed: false, reason: 'idle.p99 not measurable: no request was made' }));
  });

  it('prints the reason on the console line', () => {
    const results = evaluateThresholds(runWith(333), [parseThreshold('p99<1s')]);
    expect(formatThresholdLines(results)[0]).toMatch(/^threshold ✗ FAIL {2}p99<1s {2}\(p99 = [\d.]+ ms; p99 not measurable: 33\.3 % of requests failed \(> 1 %\)\)$/);
  });
});
