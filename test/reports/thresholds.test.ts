import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.js';
import { evaluateThresholds, parseThreshold, THRESHOLD_METRICS } from '../../reports/thresholds/index.js';
import { syntheticReport } from '../support/synthetic-report.js';

describe('parseThreshold', () => {
  it.each([
    ['p95<100ms', { metric: 'p95', op: '<', limit: 100 }],
    ['p95 < 1.5s', { metric: 'p95', op: '<', limit: 1500 }],
    ['p99<250us', { metric: 'p99', op: '<', limit: 0.25 }],
    ['p99<=20', { metric: 'p99', op: '<=', limit: 20 }],
    ['successRate>=0.99', { metric: 'successRate', op: '>=', limit: 0.99 }],
    ['successRate>=99%', { metric: 'successRate', op: '>=', limit: 0.99 }],
    ['rps>500', { metric: 'rps', op: '>', limit: 500 }],
    ['throughputMbps>1Gbps', { metric: 'throughputMbps', op: '>', limit: 1000 }],
    ['sut.rssPeakMiB<10', { metric: 'sut.rssPeakMiB', op: '<', limit: 10 }],
    ['sut.rssPeakMiB<1GiB', { metric: 'sut.rssPeakMiB', op: '<', limit: 1024 }],
    ['sut.cpuPercentMean<150%', { metric: 'sut.cpuPercentMean', op: '<', limit: 150 }],
    ['harness.cpuUsPerRequest<2ms', { metric: 'harness.cpuUsPerRequest', op: '<', limit: 2000 }],
    ['errors.timeout==0', { metric: 'errors.timeout', op: '==', limit: 0 }],
    ['errorRate.reset<0.1%', { metric: 'errorRate.reset', op: '<', limit: 0.001 }],
    ['get-1k.successRate>=0.995', { kind: 'get-1k', metric: 'successRate', op: '>=', limit: 0.995 }],
    ['get-1k.ttfb.p99<=20ms', { kind: 'get-1k', metric: 'ttfb.p99', op: '<=', limit: 20 }],
    ['v1.2.p50<5ms', { kind: 'v1.2', metric: 'p50', op: '<', limit: 5 }],
  ])('reads %s', (expression, expected) => {
    expect(parseThreshold(expression)).toEqual({ expression, ...expected });
  });

  it.each([
    ['p95', 'is not a threshold'],
    ['p95=100ms', 'is not a threshold'],
    ['p95!=100ms', 'is not a threshold'],
    ['<100ms', 'is not a threshold'],
    ['latency<100ms', "unknown metric 'latency'"],
    ['get-1k.sut.rssPeakMiB<10', 'unknown metric'],
    ['p95<fast', 'p95 expects a duration'],
    ['p95<100MiB', 'p95 expects a duration'],
    ['p95<-5ms', 'p95 expects a duration'],
    ['successRate>=99pt', 'successRate expects a fraction'],
    ['sut.rssPeakMiB<10ms', 'sut.rssPeakMiB expects a size'],
  ])('refuses %s as a usage error saying %s', (expression, message) => {
    const error = (() => {
      try {
        parseThreshold(expression);
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).code).toBe('PB_ERR_USAGE');
    expect((error as UsageError).field).toBe('--threshold');
    expect((error as UsageError).message).toContain(message);
  });

  it('names the field it was given, e.g. a scenario file entry', () => {
    expect(() => parseThreshold('nope<1', 'scenario.defaults.thresholds[2]')).toThrow(/^scenario\.defaults\.thresholds\[2\]: /);
  });

  it('lists every cause under errors. and errorRate.', () => {
    expect(THRESHOLD_METRICS).toContain('errors.integrity');
    expect(THRESHOLD_METRICS).toContain('errorRate.proxy_refused');
    expect(THRESHOLD_METRICS).toContain('sut.rssPeakMiB');
  });

  it('either parses or throws a UsageError for any string', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          const threshold = parseThreshold(text);
          return THRESHOLD_METRICS.includes(threshold.metric) && Number.isFinite(threshold.limit);
        } catch (err) {
          return err instanceof UsageError;
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('evaluateThresholds', () => {
  // 100 requests in 2 s, 4 of them timeouts; latencies 0.02..1.92 ms (below 2048 µs HdrHistogram
  // keeps every microsecond, so percentiles are exact); SUT peak 12 MiB.
  const report = syntheticReport({
    kinds: {
      'get-1k': { latenciesMs: Array.from({ length: 96 }, (_, i) => (i + 1) * 0.02), requestsPerSecond: [50, 50], failuresPerSecond: [4, 0] },
    },
    sut: { rssPeakMiB: 12, cpuPercentSamples: [10, 20, 30] },
  });

  it.each([
    ['successRate>=0.95', 0.96, true],
    ['successRate>=97%', 0.96, false],
    ['rps>=50', 50, true],
    ['p50<=960us', 0.96, true],
    ['p99<1.9ms', 1.92, false],
    // 4 of 100 requests failed: they would be the slowest, so max is not measurable (see latency-gates).
    ['max<1s', 1.92, false],
    ['errors.timeout==0', 4, false],
    ['errorRate<=4%', 0.04, true],
    ['get-1k.requests==100', 100, true],
    ['sut.rssPeakMiB<10', 12, false],
    ['sut.rssPeakMiB<16MiB', 12, true],
  ])('%s measures %f and passes: %s', (expression, value, passed) => {
    const [result] = evaluateThresholds(report, [parseThreshold(expression)]);
    expect(result?.value).toBeCloseTo(value, 6);
    expect(result?.passed).toBe(passed);
    expect(result?.expression).toBe(expression);
  });

  it('refuses a request kind the report does not have', () => {
    expect(() => evaluateThresholds(report, [parseThreshold('post-1k.p99<10ms')])).toThrow(
      "threshold 'post-1k.p99<10ms': the report has no request kind 'post-1k' (kinds: get-1k)",
    );
  });

  it('refuses a SUT metric when no SUT was sampled, rather than passing', () => {
    const noSut = { ...report, sut: null };
    expect(() => evaluateThresholds(noSut, [parseThreshold('sut.rssPeakMiB<10')])).toThrow(UsageError);
  });

  it('refuses a held-connection metric on a run that held none, saying so', () => {
    expect(() => evaluateThresholds(report, [parseThreshold('held.failed==0')])).toThrow(
      "threshold 'held.failed==0': the report has no measurement for held.failed (it is not a many-connections run)",
    );
  });

  it('reads connections per second from a report written before the field existed', () => {
    const stats = report.totals;
    const old = { ...report, totals: { ...stats, connections: { opened: 20, reused: stats.connections.reused, reuseRatio: stats.connections.reuseRatio } } };
    // 20 connections over the 2 s in which the 100 requests ran.
    const [result] = evaluateThresholds(old, [parseThreshold('connections.perSecond>=10')]);
    expect(result).toMatchObject({ value: 10, passed: true });
  });
});
