import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { Pool } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSut, type SpawnedSut } from '../../harness/sut/spawned-sut.js';
import { formatCommand } from '../../harness/sut/split-command.js';
import { STEEP_GROWTH_LIMITS, steepGrowthMessage, type RssPoint } from '../../harness/sut/steep-growth.js';
import { SutMonitor } from '../../harness/sut/sut-monitor.js';
import { SUT_DEFAULTS } from '../../harness/sut/sut-defaults.js';
import type { Report } from '../../reports/schema.js';
import { runCli, tempDir } from '../support/cli.js';
import { freePort } from '../support/free-port.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/leaky-proxy.mjs', import.meta.url));
const BODY_BYTES = 1024;
/** Load shape: a warm-up, then a measured phase long enough for ≥ 8 samples at 100 ms. */
const WARMUP_MS = 1000;
/**
 * Node flags of both fixtures. Under load a steady node server's RSS creeps for its first ~5 s as
 * TurboFan compiles hot code and the young generation grows (measured: 46.6 → 56 MiB, up to 2.6 MiB
 * within one 2 s window — as much as the verdict allows a 2 s phase); without the optimizing tier
 * and with a 1 MiB semi-space it stays flat within 0.1 MiB, so a seconds-long test compares a
 * leak with true steadiness. Real runs absorb that creep with a longer measured phase.
 */
const NODE_FLAGS = ['--no-opt', '--max-semi-space-size=1'];
const MEASURE_MS = 2000;
const IN_FLIGHT = 4;
const MAX_ROUNDS = 400;

let sut: SpawnedSut | undefined;
afterEach(async () => {
  await sut?.stop();
  sut = undefined;
});

/** Sends rounds of absolute-form GETs for `durationMs` (at most MAX_ROUNDS rounds); returns requests done. */
async function drive(pool: Pool, originPort: number, durationMs: number): Promise<number> {
  const endMs = performance.now() + durationMs;
  let done = 0;
  for (let round = 0; round < MAX_ROUNDS && performance.now() < endMs; round++) {
    const bodies = await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        const res = await pool.request({ method: 'GET', path: `http://127.0.0.1:${originPort}/item` });
        return Buffer.from(await res.body.arrayBuffer());
      }),
    );
    for (const body of bodies) expect(body.length).toBe(BODY_BYTES);
    done += bodies.length;
    // Pacing keeps the rate (and so the leak's growth) modest on a shared 2-core machine.
    await delay(5);
  }
  return done;
}

async function measure(leakKiB: number): Promise<{ monitor: SutMonitor; requests: number }> {
  const port = await freePort();
  sut = await spawnSut({
    command: formatCommand([process.execPath, ...NODE_FLAGS, FIXTURE, '--port', String(port), '--leak-kib', String(leakKiB), '--body-bytes', String(BODY_BYTES)]),
    ready: { host: '127.0.0.1', port },
  });
  // A few seconds of load are enough for this fixture's growth; the default minimum span (30 s)
  // exists for runtimes that warm up, which --no-opt and a tiny semi-space rule out here.
  const monitor = new SutMonitor({ pid: sut.pid, intervalMs: 100, leakMinSpanMs: 1000 });
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: IN_FLIGHT });
  try {
    monitor.start();
    await drive(pool, port, WARMUP_MS);
    monitor.markMeasureStart();
    const requests = await drive(pool, port, MEASURE_MS);
    monitor.markMeasureEnd();
    await monitor.stop();
    return { monitor, requests };
  } finally {
    await pool.close();
  }
}

describe('leak detection over a real spawned SUT', () => {
  it('flags a SUT that keeps 64 KiB per request', async () => {
    const { monitor, requests } = await measure(64);
    const resources = monitor.summarize({ source: 'spawned', measuredRequests: requests });
    console.log(`leaky: ${requests} requests, RSS ${resources.rssMiB.start} → ${resources.rssMiB.end} MiB, slope ${resources.rssSlopeMiBPerMin} MiB/min, R² ${resources.rssSlopeR2}`);
    // 64 KiB per request: RSS must have grown by at least half of what was kept.
    expect(resources.rssMiB.end - resources.rssMiB.start).toBeGreaterThan((requests * 64) / 1024 / 2);
    expect(monitor.leakWarning()).toMatch(/memory kept growing .* MiB\/min .*likely leak/);
  });

  it('does not flag the same SUT when it keeps nothing', async () => {
    const { monitor, requests } = await measure(0);
    const resources = monitor.summarize({ source: 'spawned', measuredRequests: requests });
    console.log(`steady: ${requests} requests, RSS ${resources.rssMiB.start} → ${resources.rssMiB.end} MiB, slope ${resources.rssSlopeMiBPerMin} MiB/min, R² ${resources.rssSlopeR2}`);
    expect(requests).toBeGreaterThan(0);
    expect(resources.samples.length).toBeGreaterThanOrEqual(8);
    // The fixture keeps nothing by construction (--leak-kib 0); what is under test is that neither
    // leak rule calls its RSS a leak. Its RSS itself is the runtime's business: Node 20 holds it
    // flat, Node 24 grows it 2–13 MiB over these seconds as its tiers and heap settle (R² ≤ 0.6),
    // so no bound on it is asserted here.
    expect(monitor.leakWarning()).toBeUndefined();
    expect(monitor.leakFinding()).toBeUndefined();
  });
});

/**
 * The shipped defaults, as a user runs them: the real CLI, the default 250 ms sample interval and
 * leak rules, and the fixture under plain `node` (no flags that calm its heap), forwarding to the
 * mock origin so every body is verified. The measured phase (6 s) is far under the careful rule's
 * 30 s, so only the steep-growth rule can speak. An open-model rate bounds the leak: 300 req/s ×
 * 6.5 s × 128 KiB ≈ 240 MiB kept, over a start of ~50-70 MiB.
 */
async function cliRunThroughFixture(leakKiB: number): Promise<Report> {
  const port = await freePort();
  const out = join(await tempDir(), 'r.json');
  const fixture = formatCommand([process.execPath, FIXTURE, '--port', String(port), '--leak-kib', String(leakKiB), '--forward']);
  const result = await runCli([
    'run', 'http-get', '--proxy', `http://127.0.0.1:${port}`, '--sut', fixture,
    '--rate', '300', '--duration', '6s', '--warmup', '500ms', '--workers', '1', '--out', out,
  ]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(await readFile(out, 'utf8')) as Report;
}

describe('leak detection with the shipped defaults, through the CLI', () => {
  it('flags a proxy keeping 128 KiB per request in a 6 s run as a steep, likely leak', async () => {
    const report = await cliRunThroughFixture(128);
    const sut = report.sut!;
    console.log(`leaky via CLI: ${report.totals.requests} requests, RSS ${sut.rssMiB.start} → ${sut.rssMiB.end} MiB, R² ${sut.rssSlopeR2}, ${sut.samples.length} samples`);
    // Driven through the fixture (a starved machine may time a few connects out; that is not the point).
    expect(report.totals.successes).toBeGreaterThan(report.totals.requests / 2);
    expect(sut.rssMiB.end).toBeGreaterThanOrEqual(STEEP_GROWTH_LIMITS.growthFactor * sut.rssMiB.start);
    const codes = report.warnings.map((w) => w.code);
    expect(codes).toContain('sut_memory_steep_growth');
    // 6 s is too short for the careful rule: the verdict is the steep rule's, worded as such.
    expect(codes).not.toContain('sut_memory_growth');
    expect(report.warnings.find((w) => w.code === 'sut_memory_steep_growth')?.message).toMatch(/grew steeply .* still rising at the end — likely a leak; confirm with a longer run/);
  });

  it('does not flag the same proxy keeping nothing (a Node heap settling under load is no steep growth)', async () => {
    const report = await cliRunThroughFixture(0);
    const sut = report.sut!;
    console.log(`steady via CLI: ${report.totals.requests} requests, RSS ${sut.rssMiB.start} → ${sut.rssMiB.end} MiB`);
    // Driven through the fixture (a starved machine may time a few connects out; that is not the point).
    expect(report.totals.successes).toBeGreaterThan(report.totals.requests / 2);
    expect(sut.samples.length).toBeGreaterThanOrEqual(SUT_DEFAULTS.leakMinSamples);
    const codes = report.warnings.map((w) => w.code);
    expect(codes).not.toContain('sut_memory_steep_growth');
    expect(codes).not.toContain('sut_memory_growth');
  });
});

describe('the steep-growth rule', () => {
  const limits = { ...STEEP_GROWTH_LIMITS, minSamples: SUT_DEFAULTS.leakMinSamples };
  /** Samples every 250 ms over `spanMs`, RSS as `rssAt(tMs)`. */
  const samples = (spanMs: number, rssAt: (tMs: number) => number): RssPoint[] =>
    Array.from({ length: spanMs / 250 + 1 }, (_, i) => ({ atMs: i * 250, rssMiB: rssAt(i * 250) }));
  const verdict = (points: readonly RssPoint[], r2 = 0.99): string | undefined => steepGrowthMessage(points, { slopeMiBPerMin: 1000, r2 }, limits, 30_000);

  it('flags 62 → 413 MiB over 8 s, still rising', () => {
    expect(verdict(samples(8000, (t) => 62 + (351 * t) / 8000))).toMatch(/62\.0 → 413\.0 MiB \(6\.7×\) over 8\.0 s.*confirm with a longer run \(a measured phase of 30 s or more/);
  });

  it.each([
    ['a Node heap settling, 50 → 90 MiB (1.8×)', samples(8000, (t) => 50 + (40 * t) / 8000), 0.99],
    ['a small process tripling by 6 MiB (under 16 MiB)', samples(8000, (t) => 3 + (6 * t) / 8000), 0.99],
    ['growth that tripled, then stopped for the last quarter', samples(8000, (t) => 60 + (180 * Math.min(t, 6000)) / 6000), 0.95],
    ['a jagged rise (R² under 0.9)', samples(8000, (t) => 60 + (240 * t) / 8000), 0.85],
    ['only 7 samples', samples(1500, (t) => 60 + (240 * t) / 1500), 0.99],
  ] as const)('does not flag %s', (_, points, r2) => {
    expect(verdict(points, r2)).toBeUndefined();
  });
});
