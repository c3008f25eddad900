import { beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../harness/run/run.js';
import type { Report } from '../../reports/schema.js';
import { formatRunSummary } from '../../reports/writers/console-summary.js';

describe('connection-churn through the embedded reference proxies', () => {
  let report: Report;
  beforeAll(async () => {
    // A request count, not a duration: the counts below are then exact, and 120 is past the 100
    // requests after which a keep-alive run would warn that nothing was reused.
    report = await run({ scenario: 'connection-churn', requests: 120, warmupMs: 0, concurrency: 8, workers: 1, thresholds: ['connections.perSecond>=1/s'] });
  });

  it('opens a new connection for every measured request and reuses none', () => {
    expect(report.totals.requests).toBe(120);
    expect(report.totals.successes).toBe(120);
    expect(report.totals.connections.opened).toBe(120);
    expect(report.totals.connections.reused).toBe(0);
    for (const stats of Object.values(report.byKind)) {
      expect(stats.connections.opened).toBe(stats.requests);
      expect(stats.connections.reused).toBe(0);
    }
    expect(report.totals.bytesIn).toBe(120 * 1024);
  });

  it('times every setup phase of every tunnel, and only the TCP connect of forward connections', () => {
    const tunnel = report.byKind['connect-get-1k']!;
    const forward = report.byKind['http-get-1k']!;
    expect(tunnel.requests).toBeGreaterThan(0);
    expect(forward.requests).toBeGreaterThan(0);
    expect(tunnel.phasesMs.connect.count).toBe(tunnel.requests);
    expect(tunnel.phasesMs.proxyHandshake.count).toBe(tunnel.requests);
    expect(tunnel.phasesMs.tls.count).toBe(tunnel.requests);
    expect(forward.phasesMs.connect.count).toBe(forward.requests);
    expect(forward.phasesMs.proxyHandshake.count).toBe(0);
    expect(forward.phasesMs.tls.count).toBe(0);
  });

  it('reports connections per second as opened connections over measured seconds', () => {
    const perSecond = report.totals.connections.perSecond!;
    expect(perSecond).toBeGreaterThan(0);
    expect(perSecond).toBeCloseTo(report.totals.connections.opened / (report.durationMs / 1000), 0);
    expect(formatRunSummary(report)).toMatch(/ · [\d.]+ new connections\/s$/m);
    // …and a CI gate can name it.
    expect(report.thresholds).toEqual([expect.objectContaining({ expression: 'connections.perSecond>=1/s', value: perSecond, passed: true })]);
  });

  it('does not warn that no connection was reused, since none was meant to be', () => {
    expect(report.config.connectionPolicy).toBe('new-per-request');
    expect(report.warnings.map((w) => w.code)).not.toContain('no_connection_reuse');
  });
});
