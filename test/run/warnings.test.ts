import { describe, expect, it } from 'vitest';
import type { WorkerHealth } from '../../harness/recorder/batch.js';
import { harnessResources, runWarnings, WARNING_LIMITS, type WarningInputs } from '../../harness/report-assembly/warnings.js';
import { syntheticReport } from '../support/synthetic-report.js';

/** A missed open-model schedule (`late` and `dropped` as given), with the worker health that says whose doing it was. */
function missedSchedule(health: WorkerHealth, missed: { late: number; dropped: number; failures?: number; backoffs?: number }): WarningInputs {
  const report = syntheticReport({ kinds: { 'get-1k': { latenciesMs: [0.8, 1, 1.2], requestsPerSecond: [500, 500, 500, 500] } } });
  return {
    totals: { ...report.totals, late: missed.late, dropped: missed.dropped, failures: missed.failures ?? 0, backoffs: missed.backoffs ?? 0 },
    load: { model: 'open', offeredRps: 500, achievedRps: 500, maxInFlight: 400, scheduleKept: false },
    harness: { ...report.harness, eventLoopDelayP99Ms: 1.8, saturated: false },
    health: [health],
    keepAlive: true,
    partial: false,
  };
}

const healthy: WorkerHealth = { eventLoopDelayP99Ms: 1.8, eventLoopDelayMaxMs: 6, eventLoopUtilization: 0.2, slotWaits: 0, backoffDrops: 0 };

const scheduleWarning = (inputs: WarningInputs): string | undefined => runWarnings(inputs).find((w) => w.code === 'schedule_not_kept')?.message;

describe('schedule_not_kept names its cause', () => {
  it('blames the proxy when requests had to wait for a free in-flight slot', () => {
    const message = scheduleWarning(missedSchedule({ ...healthy, slotWaits: 12 }, { late: 40, dropped: 0 }));
    expect(message).toMatch(/every in-flight slot was busy/);
    expect(message).not.toMatch(/timers fired late/);
  });

  it("blames the proxy's failures, not the harness's timers, for requests dropped during backoffs", () => {
    // No request waited for a slot, and the event loop was healthy: the drops are the backoffs'.
    const message = scheduleWarning(missedSchedule({ ...healthy, backoffDrops: 150 }, { late: 0, dropped: 150, failures: 30, backoffs: 12 }));
    expect(message).toMatch(/the proxy's failures made the harness back off: 150 requests fell due during a backoff and were dropped \(30 failures, 12 backoffs\)/);
    expect(message).not.toMatch(/timers fired late/);
  });

  it('names both causes when slots were busy and backoffs dropped requests', () => {
    const message = scheduleWarning(missedSchedule({ ...healthy, slotWaits: 3, backoffDrops: 20 }, { late: 10, dropped: 20, failures: 5, backoffs: 2 }));
    expect(message).toMatch(/every in-flight slot was busy.*; and the proxy's failures made the harness back off: 20 requests/);
  });

  it("blames the harness's late timers only when no request waited for a slot and none was dropped by a backoff", () => {
    const message = scheduleWarning(missedSchedule(healthy, { late: 40, dropped: 0 }));
    expect(message).toMatch(/timers fired late \(event-loop delay p99 1\.8 ms\) while in-flight slots were free/);
    expect(message).not.toMatch(/proxy answered too slowly|proxy's failures/);
  });
});

describe('the harness calls itself the limit only on its own figures', () => {
  const usage = { rssPeakMiB: 80, cpuPercent: 12, cpuUs: 1_200_000 };
  const inputs = (health: WorkerHealth): WarningInputs => {
    const report = syntheticReport({ kinds: { 'get-1k': { latenciesMs: [20, 21, 22], requestsPerSecond: [100, 100] } } });
    return { totals: report.totals, load: { model: 'closed', concurrency: 2, achievedRps: 100 }, harness: harnessResources(usage, [health], 200), health: [health], keepAlive: true, partial: false };
  };

  it('stays silent when its workers idled and its event loop was on time (a proxy setting the pace)', () => {
    const warnings = runWarnings(inputs(healthy));
    expect(harnessResources(usage, [healthy], 200).saturated).toBe(false);
    expect(warnings.map((w) => w.code)).not.toContain('harness_saturated');
  });

  it('says so when its event loop ran late or its workers had no idle time', () => {
    const late = { ...healthy, eventLoopDelayP99Ms: WARNING_LIMITS.eventLoopDelayP99Ms + 5 };
    expect(runWarnings(inputs(late)).find((w) => w.code === 'harness_saturated')?.message).toContain(`event-loop delay p99 was ${late.eventLoopDelayP99Ms} ms`);
    const busy = { ...healthy, eventLoopUtilization: 0.95 };
    expect(runWarnings(inputs(busy)).find((w) => w.code === 'harness_saturated')?.message).toContain('its workers were busy 95% of the time');
  });
});
