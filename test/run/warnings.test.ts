import { describe, expect, it } from 'vitest';
import type { WorkerHealth } from '../../harness/recorder/batch.js';
import { runWarnings, type WarningInputs } from '../../harness/report-assembly/warnings.js';
import { syntheticReport } from '../support/synthetic-report.js';

/** A missed open-model schedule, with the worker health that says whose doing it was. */
function missedSchedule(health: WorkerHealth): WarningInputs {
  const report = syntheticReport({ kinds: { 'get-1k': { latenciesMs: [0.8, 1, 1.2], requestsPerSecond: [500, 500, 500, 500] } } });
  return {
    totals: { ...report.totals, late: 40 },
    load: { model: 'open', offeredRps: 500, achievedRps: 500, maxInFlight: 400, scheduleKept: false },
    harness: { ...report.harness, eventLoopDelayP99Ms: 1.8, saturated: false },
    health: [health],
    keepAlive: true,
    partial: false,
  };
}

const healthy = { eventLoopDelayP99Ms: 1.8, eventLoopDelayMaxMs: 6, eventLoopUtilization: 0.2 };

describe('schedule_not_kept names its cause', () => {
  it('blames the proxy when requests had to wait for a free in-flight slot', () => {
    const warning = runWarnings(missedSchedule({ ...healthy, slotWaits: 12 })).find((w) => w.code === 'schedule_not_kept');
    expect(warning?.message).toMatch(/every in-flight slot was busy/);
  });

  it("blames the harness's late timers, not the proxy, when no request ever waited for a slot", () => {
    const warning = runWarnings(missedSchedule({ ...healthy, slotWaits: 0 })).find((w) => w.code === 'schedule_not_kept');
    expect(warning?.message).toMatch(/timers fired late \(event-loop delay p99 1\.8 ms\) while in-flight slots were free/);
    expect(warning?.message).not.toMatch(/proxy answered too slowly/);
  });
});
