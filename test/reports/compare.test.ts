import { describe, expect, it } from 'vitest';
import { ReportError, UsageError } from '../../core/errors.js';
import { compareReports, DEFAULT_TOLERANCES, formatComparisonTable, type Comparison } from '../../reports/compare/index.js';
import type { Report } from '../../reports/schema.js';
import { latencySamples, noisyCounts, syntheticReport, type SyntheticKind } from '../support/synthetic-report.js';

const SECONDS = 30;

type RunOptions = Parameters<typeof build>[0];
const built = new Map<string, Report>();

/** A run of one kind `get` (memoised: reports are read-only and building one takes a while). */
function run(options: RunOptions): Report {
  const key = JSON.stringify(options);
  const report = built.get(key) ?? build(options);
  built.set(key, report);
  return report;
}

/** ~100 req/s for 30 s, log-normal latencies around `medianMs`, a SUT at 40 MiB and 30 % CPU. */
function build(options: {
  seed: number;
  medianMs?: number;
  rps?: number;
  rpsNoise?: number;
  seconds?: number;
  failureShare?: number;
  latencyCount?: number;
  rssPeakMiB?: number;
  sutCpuPercent?: number;
  scenario?: string;
}): Report {
  const seconds = options.seconds ?? SECONDS;
  const requestsPerSecond = noisyCounts(seconds, options.rps ?? 100, options.rpsNoise ?? 0.03, options.seed);
  const failuresPerSecond = requestsPerSecond.map((n) => Math.round(n * (options.failureShare ?? 0)));
  const kind: SyntheticKind = {
    latenciesMs: latencySamples(options.latencyCount ?? 3000, options.medianMs ?? 10, options.seed + 1),
    requestsPerSecond,
    failuresPerSecond,
  };
  return syntheticReport({
    kinds: { get: kind },
    sut: { rssPeakMiB: options.rssPeakMiB ?? 40, cpuPercentSamples: noisyCounts(20, options.sutCpuPercent ?? 30, 0.05, options.seed + 2) },
    ...(options.scenario ? { scenario: options.scenario } : {}),
  });
}

function verdictOf(comparison: Comparison, scope: string, metric: string): string | undefined {
  return comparison.metrics.find((m) => m.scope === scope && m.metric === metric)?.verdict;
}

const baseline = run({ seed: 1 });

describe('compareReports verdicts', () => {
  it.each([
    ['latency 30 % slower is a latency regression', { seed: 2, medianMs: 13 }, [], { p50: 'regression', p95: 'regression', p99: 'regression', rps: 'no change' }],
    ['latency 30 % faster is an improvement', { seed: 2, medianMs: 7 }, [], { p50: 'improvement', p99: 'improvement', rps: 'no change' }],
    ['20 % fewer requests per second is an rps and throughput regression', { seed: 2, rps: 80 }, [], { rps: 'regression', throughputMbps: 'regression', p99: 'no change' }],
    ['20 % more requests per second is an improvement', { seed: 2, rps: 120 }, [], { rps: 'improvement', successRate: 'no change' }],
    ['noise of ±3 % trips nothing', { seed: 7, medianMs: 10.3, rps: 97 }, [], { p50: 'no change', p99: 'no change', rps: 'no change', successRate: 'no change' }],
    ['5 points fewer successes is a success-rate regression', { seed: 2, failureShare: 0.05 }, [], { successRate: 'regression', 'errorRate.timeout': 'regression' }],
    ['8 % fewer req/s over two seconds is too little data to call', { seed: 2, rps: 92, seconds: 2 }, [], { rps: 'no change' }],
    ['15 % slower on 10 samples is too little data to call', { seed: 2, medianMs: 11.5, latencyCount: 10, rps: 1, seconds: 10 }, [], { p99: 'no change' }],
    ['SUT CPU 30 % higher at the same load is a regression', { seed: 2, sutCpuPercent: 39 }, [], { 'sut.cpuPercentMean': 'regression', rps: 'no change' }],
    ['SUT RSS 20 % higher is a regression by tolerance alone', { seed: 2, rssPeakMiB: 48 }, [], { 'sut.rssPeakMiB': 'regression', p99: 'no change' }],
    ['a wider p99 tolerance lets a 30 % slowdown pass p99 only', { seed: 2, medianMs: 13 }, ['p99:+50%'], { p99: 'no change', p50: 'regression' }],
    ['a per-kind tolerance applies to that kind only', { seed: 2, medianMs: 13 }, ['get.p99:+50%'], { p99: 'regression', 'get.p99': 'no change' }],
  ])('%s', (_name, current, tolerances, expected) => {
    const comparison = compareReports(baseline, run(current), { tolerances });
    for (const [key, verdict] of Object.entries(expected)) {
      const [scope, metric] = key.startsWith('get.') ? ['get', key.slice(4)] : ['total', key];
      expect({ key, verdict: verdictOf(comparison, scope, metric) }).toEqual({ key, verdict });
    }
    expect(comparison.regressions).toBe(comparison.metrics.filter((m) => m.verdict === 'regression').length);
  });

  it('does not call a drop beyond tolerance a regression when ±50 % noise makes it insignificant', () => {
    const rps = compareReports(baseline, run({ seed: 6, rps: 92, rpsNoise: 0.5, seconds: 10 })).metrics.find((m) => m.scope === 'total' && m.metric === 'rps');
    expect(rps?.change).toBeLessThan(-0.05 * (rps?.before ?? 0));
    expect(rps?.significant).toBe(false);
    expect(rps?.pValue).toBeGreaterThan(0.05);
    expect(rps?.verdict).toBe('no change');
  });

  it('says why a latency change on 10 samples was not tested', () => {
    const few = (seed: number, medianMs: number): Report => run({ seed, medianMs, latencyCount: 10, rps: 1, seconds: 10 });
    const p99 = compareReports(few(1, 10), few(2, 20)).metrics.find((m) => m.scope === 'total' && m.metric === 'p99');
    expect(p99?.after).toBeGreaterThan((p99?.before ?? 0) * 1.1);
    expect(p99).toMatchObject({ significant: false, pValue: null, verdict: 'no change', note: 'fewer than 20 successful requests: not tested' });
  });

  it('compares every kind and the total with the same metrics', () => {
    const comparison = compareReports(baseline, run({ seed: 2 }));
    const scopes = new Set(comparison.metrics.map((m) => m.scope));
    expect([...scopes]).toEqual(['total', 'get']);
    expect(comparison.metrics.filter((m) => m.scope === 'get').map((m) => m.metric)).toEqual(['successRate', 'rps', 'throughputMbps', 'p50', 'p95', 'p99', 'max']);
  });

  it('reports the change in the tolerance unit with the numbers', () => {
    const comparison = compareReports(baseline, run({ seed: 2, failureShare: 0.05 }));
    const success = comparison.metrics.find((m) => m.scope === 'total' && m.metric === 'successRate');
    expect(success?.before).toBe(1);
    expect(success?.after).toBeCloseTo(0.95, 2);
    expect(success?.changeText).toMatch(/^-[45](\.\d+)?pt$/);
    expect(success?.tolerance).toBe('-1pt');
    expect(success?.pValue).toBeLessThan(0.05);
  });

  it('judges SUT RSS by tolerance alone and says so', () => {
    const rss = compareReports(baseline, run({ seed: 2, rssPeakMiB: 48 })).metrics.find((m) => m.metric === 'sut.rssPeakMiB');
    expect(rss).toMatchObject({ before: 40, after: 48, change: 8, changeText: '+20%', significant: null, pValue: null });
  });

  it('documents a default tolerance for every compared metric', () => {
    expect(DEFAULT_TOLERANCES).toMatchObject({ p99: '+10%', rps: '-5%', successRate: '-1pt', 'sut.rssPeakMiB': '+10%' });
  });
});

describe('compareReports refusals', () => {
  it('refuses reports of different scenarios', () => {
    expect(() => compareReports(baseline, run({ seed: 2, scenario: 'other' }))).toThrow(ReportError);
    expect(() => compareReports(baseline, run({ seed: 2, scenario: 'other' }))).toThrow(/different scenarios: baseline 'synthetic', current 'other'; pass --force/);
  });

  it('refuses reports of different schema major versions', () => {
    const future = { ...run({ seed: 2 }), schemaVersion: 2 } as unknown as Report;
    expect(() => compareReports(baseline, future)).toThrow(/schema versions 1 and 2/);
  });

  it('compares anyway with force, and notes it', () => {
    const comparison = compareReports(baseline, run({ seed: 2, scenario: 'other' }), { force: true });
    expect(comparison.metrics.length).toBeGreaterThan(0);
    expect(comparison.notes.join('\n')).toContain("different scenarios compared (--force): 'synthetic' and 'other'");
  });

  it.each([
    ['p99:-5%', 'write +5%'],
    ['rps:+5%', 'write -5%'],
    ['p99:+5pt', 'p99 accepts'],
    ['latency:+5%', 'is not a tolerance'],
    ['p99', 'is not a tolerance'],
    ['post.p99:+5%', "request kind 'post'"],
  ])('refuses tolerance %s as a usage error (%s)', (tolerance, message) => {
    expect(() => compareReports(baseline, run({ seed: 2 }), { tolerances: [tolerance] })).toThrow(UsageError);
    expect(() => compareReports(baseline, run({ seed: 2 }), { tolerances: [tolerance] })).toThrow(message);
  });
});

describe('formatComparisonTable', () => {
  it('prints one row per metric with the verdict and a summary line', () => {
    const text = formatComparisonTable(compareReports(baseline, run({ seed: 2, medianMs: 13 })));
    expect(text).toMatch(/latency p99 .*\+\d+(\.\d+)?% .*\+10% .*<0\.001 .*regression/);
    expect(text).toMatch(/\d+ regressions?, 0 improvements \(significance level 0\.05\)/);
    expect(text).not.toContain('\u001b[');
  });

  it('colours verdicts only when asked', () => {
    expect(formatComparisonTable(compareReports(baseline, run({ seed: 2, medianMs: 13 })), { color: true })).toContain('\u001b[31mregression');
  });
});

describe('SUT CPU under a changed load', () => {
  it('does not call CPU % a regression when throughput rose with it, and judges CPU per 1k requests instead', () => {
    // 4× the requests at 1.5× the CPU: more work, and cheaper per request.
    const comparison = compareReports(baseline, run({ seed: 8, rps: 400, sutCpuPercent: 45 }));
    const cpu = comparison.metrics.find((m) => m.metric === 'sut.cpuPercentMean')!;
    expect(cpu.verdict).toBe('no change');
    expect(cpu.note).toMatch(/throughput changed/);
    expect(comparison.metrics.find((m) => m.metric === 'sut.cpuMsPer1kRequests')).toBeDefined();
  });
});
