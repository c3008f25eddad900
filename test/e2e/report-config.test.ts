import { describe, expect, it } from 'vitest';
import { run } from '../../index.js';

// The report's config says which proxies the run drove: the embedded reference proxies' own
// addresses when no --proxy was given (it used to be an empty list), as typed ReportConfig fields.
describe("the report's config", () => {
  it('names the embedded proxies the run drove, with their addresses, and the load as resolved', async () => {
    const report = await run({ scenario: 'proxy-mixed', durationMs: 500, warmupMs: 0, concurrency: 3, seed: 7 });
    const { config } = report;
    expect(config.embeddedProxies).toBe(true);
    expect(config.proxies).toHaveLength(2);
    expect(config.proxies[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(config.proxies[1]).toMatch(/^socks5:\/\/127\.0\.0\.1:\d+$/);
    expect(config.scenario).toBe('proxy-mixed');
    expect(config.load).toEqual({ model: 'closed', concurrency: 3 });
    expect(config.seed).toBe(7);
    expect(config.sut).toBeUndefined();
    expect(report.totals.successes).toBeGreaterThan(0);
    expect(report.totals.failures).toBe(0);
  });
});
