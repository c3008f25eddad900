import { run } from '../index.js';

/**
 * Harness memory against run length (issue #4): RSS of the whole harness process (main thread and
 * workers) after N requests, through the embedded reference proxy and direct. Bounded memory means
 * the 1M row is within ~20 MiB of the 100k row.
 * Run: `node dist/bench/memory.js [sizes]`, e.g. `node dist/bench/memory.js 10000,100000`.
 */
const sizes = (process.argv[2] ?? '10000,100000,1000000').split(',').map(Number);
const paths = [
  { name: 'direct', scenario: 'direct-get' },
  { name: 'reference proxy', scenario: 'http-get' },
] as const;

console.log(`path             requests     req/s   harness RSS peak`);
for (const path of paths) {
  const rss: number[] = [];
  for (const requests of sizes) {
    // A fresh process per size would measure start-up, not growth: runs share this process, so
    // each row's peak is at least the previous one's — growth shows as a rising column.
    const report = await run({ scenario: path.scenario, requests, concurrency: 50, warmupMs: 0 });
    rss.push(report.harness.rssPeakMiB);
    console.log(`${path.name.padEnd(16)} ${String(report.totals.requests).padStart(9)} ${String(Math.round(report.totals.rps)).padStart(9)}   ${report.harness.rssPeakMiB.toFixed(1).padStart(8)} MiB`);
  }
  if (rss.length >= 2) console.log(`${path.name}: last − previous size = ${(rss[rss.length - 1]! - rss[rss.length - 2]!).toFixed(1)} MiB`);
}
