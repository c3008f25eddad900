import { describe, expect, it } from 'vitest';
import { sampleProcessTree } from '../../harness/sut/process-tree-sampler.js';
import { SutMonitor } from '../../harness/sut/sut-monitor.js';

/** Samples this very process with the real sampler, failing every `every`-th call. */
function failingEvery(every: number): { sample: typeof sampleProcessTree; failures: () => number } {
  let calls = 0;
  let failures = 0;
  return {
    failures: () => failures,
    sample: async (pid) => {
      if (++calls % every === 0) {
        failures++;
        throw new Error(`EIO reading /proc/${pid}/status`);
      }
      return sampleProcessTree(pid);
    },
  };
}

describe('SutMonitor.samplingWarning', () => {
  it('says how many samples failed and quotes the first error, so incomplete figures are flagged', async () => {
    const sampler = failingEvery(2);
    const monitor = new SutMonitor({ pid: process.pid, intervalMs: 20, sample: sampler.sample });
    monitor.start();
    await expect.poll(() => sampler.failures(), { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    await monitor.stop();
    const warning = monitor.samplingWarning();
    expect(warning?.code).toBe('sut_sampling_failed');
    expect(warning?.message).toContain(`${sampler.failures()} of the SUT's resource samples failed`);
    expect(warning?.message).toContain(`EIO reading /proc/${process.pid}/status`);
    // The samples that were taken still count.
    expect(monitor.summarize({ source: 'attached', measuredRequests: 0 }).samples.length).toBeGreaterThan(0);
  });

  it('gives no warning when every sample was taken', async () => {
    const monitor = new SutMonitor({ pid: process.pid, intervalMs: 20 });
    monitor.start();
    await expect.poll(() => monitor.summarize({ source: 'attached', measuredRequests: 0 }).samples.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    await monitor.stop();
    expect(monitor.samplingWarning()).toBeUndefined();
  });
});
