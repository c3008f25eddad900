import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.js';
import { compareReports, DEFAULT_TOLERANCES, formatComparisonTable, type Comparison, type MetricComparison } from '../../reports/compare/index.js';
import type { Report, Stats } from '../../reports/schema.js';
import { echoReport } from '../support/echo-report.js';

function metric(comparison: Comparison, scope: string, name: string): MetricComparison {
  const found = comparison.metrics.find((m) => m.scope === scope && m.metric === name);
  if (!found) throw new Error(`${scope} ${name} not compared`);
  return found;
}

const MESSAGE_METRICS = ['rtt.p50', 'rtt.p99', 'messagesPerSecond', 'lossRate'];

/** A Stats block as a report written before message figures existed has it. */
function withoutMessages(stats: Stats): Stats {
  const { messages: _m, messagesPerSecond: _r, lossRate: _l, rttMs: _t, ...rest } = stats;
  const { rtt: _h, ...histograms } = stats.phaseHistograms;
  return { ...rest, phaseHistograms: histograms };
}

function oldShape(report: Report): Report {
  const byKind = Object.fromEntries(Object.entries(report.byKind).map(([kind, s]) => [kind, withoutMessages(s)]));
  return { ...report, totals: withoutMessages(report.totals), byKind };
}

describe('compare with message figures', () => {
  const baseline = echoReport({ seed: 1 });

  it('compares rtt p50/p99, msg/s and loss for the total and the echo kind, never for the HTTP kind', () => {
    // Same model, other seeds. At α = 0.05 one same-model pair in twenty is flagged (as for request
    // latency); the seeds fix a pair that is not, so the test is deterministic.
    const comparison = compareReports(echoReport({ seed: 3 }), echoReport({ seed: 4 }));
    for (const scope of ['total', 'echo']) {
      expect(comparison.metrics.filter((m) => m.scope === scope).map((m) => m.metric)).toEqual(expect.arrayContaining(MESSAGE_METRICS));
    }
    expect(comparison.metrics.filter((m) => m.scope === 'get').map((m) => m.metric)).not.toContain('rtt.p99');
    for (const name of MESSAGE_METRICS) expect(metric(comparison, 'echo', name).verdict, name).toBe('no change');
    expect(metric(comparison, 'echo', 'rtt.p99').before).toBe(echoReport({ seed: 3 }).byKind.echo?.rttMs?.p99);
    expect(metric(comparison, 'echo', 'rtt.p50').pValue).toBeGreaterThan(0.05);
  });

  it('tests rtt on the rtt histograms: a doubled RTT is a significant regression, with a p-value', () => {
    const slower = compareReports(baseline, echoReport({ seed: 2, rttMedianMs: 4 }));
    for (const name of ['rtt.p50', 'rtt.p99']) {
      const m = metric(slower, 'echo', name);
      expect(m.verdict, name).toBe('regression');
      expect(m.significant, name).toBe(true);
      expect(m.pValue, name).toBeLessThan(0.05);
      expect(m.tolerance, name).toBe('+10%');
    }
    // The request latency of the echo kind did not change: rtt is read from its own histogram.
    expect(metric(slower, 'echo', 'p50').verdict).toBe('no change');
    expect(slower.regressions).toBeGreaterThanOrEqual(4);
  });

  it('judges loss by its counts and msg/s by tolerance alone', () => {
    const worse = compareReports(baseline, echoReport({ seed: 2, lostPerSecond: [4, 4, 4, 4, 4], echoRps: 16 }));
    const loss = metric(worse, 'echo', 'lossRate');
    expect(loss).toMatchObject({ before: 0, after: 0.025, verdict: 'regression', significant: true, tolerance: '+0.1pt', changeText: '+2.5pt' });
    const rate = metric(worse, 'echo', 'messagesPerSecond');
    expect(rate.before).toBe(200);
    expect(rate.after).toBe(156);
    expect(rate).toMatchObject({ verdict: 'regression', significant: null, pValue: null, tolerance: '-10%' });
    expect(rate.note).toContain('tolerance alone');
  });

  it('takes tolerances for message metrics, per kind too, and refuses a loss move above 1', () => {
    const slower = echoReport({ seed: 2, rttMedianMs: 4 });
    const loose = compareReports(baseline, slower, { tolerances: ['echo.rtt.p99:+200%', 'rtt.p50:+200%'] });
    expect(metric(loose, 'echo', 'rtt.p99')).toMatchObject({ tolerance: '+200%', verdict: 'no change' });
    expect(metric(loose, 'total', 'rtt.p99').tolerance).toBe('+10%');
    expect(metric(loose, 'total', 'rtt.p50').verdict).toBe('no change');
    expect(() => compareReports(baseline, slower, { tolerances: ['lossRate:+5'] })).toThrow(UsageError);
    expect(DEFAULT_TOLERANCES).toMatchObject({ 'rtt.p99': '+10%', messagesPerSecond: '-10%', lossRate: '+0.1pt' });
  });

  it('leaves message figures out, with a note and no crash, when one report lacks them', () => {
    for (const [before, after, side] of [[oldShape(baseline), baseline, 'current report'], [baseline, oldShape(baseline), 'baseline']] as const) {
      const comparison = compareReports(before, after);
      expect(comparison.metrics.map((m) => m.metric)).not.toEqual(expect.arrayContaining(['rtt.p50']));
      expect(comparison.metrics.some((m) => MESSAGE_METRICS.includes(m.metric))).toBe(false);
      expect(comparison.notes).toContain(`message figures of echo only in the ${side}, not compared`);
      expect(comparison.notes).toContain(`message figures of total only in the ${side}, not compared`);
      expect(comparison.regressions).toBe(0);
    }
  });

  it('labels the message rows in the console table', () => {
    const table = formatComparisonTable(compareReports(baseline, echoReport({ seed: 2 })));
    expect(table).toMatch(/│ message RTT p99 +│ +[\d.]+ ms │/);
    expect(table).toMatch(/│ msg\/s +│ +200 msg\/s │ +200 msg\/s │/);
    expect(table).toContain('message loss');
  });
});
