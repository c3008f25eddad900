import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { run } from '../index.js';

/**
 * Large bodies with flat memory (issue #12): runs the `large-body` scenario (GET 1 MiB and
 * 64 MiB, POST 16 MiB through the embedded forward proxy and CONNECT tunnels, every body verified
 * as it streams) for 10 measured seconds, then checks that at least 1 GiB of body bytes moved and
 * that the harness's peak RSS (main thread and load workers; the targets and the proxies run in
 * processes of their own) stayed under 300 MiB. Prints the figures per kind and a verdict; exits 1
 * when a check fails.
 *
 *   npm run build && node dist/bench/large-body.js [--duration-ms 10000] [--concurrency 8]
 */

/** The bar: body bytes moved in a 10 s run. */
const MIN_MOVED_BYTES = 1024 ** 3;
/** The bar: the harness's peak RSS, MiB. */
const MAX_HARNESS_RSS_MIB = 300;

const { values } = parseArgs({
  options: { 'duration-ms': { type: 'string', default: '10000' }, concurrency: { type: 'string' } },
});
const durationMs = Number(values['duration-ms']);
const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);

const MiB = 1024 * 1024;
const mib = (bytes: number): string => (bytes / MiB).toFixed(0).padStart(8);

console.log(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const report = await run({ scenario: 'large-body', durationMs, ...(concurrency !== undefined ? { concurrency } : {}) });
console.log(`${'kind'.padEnd(18)} requests  success   MiB in  MiB out     Mbps`);
for (const [kind, s] of Object.entries(report.byKind)) {
  console.log(`${kind.padEnd(18)} ${String(s.requests).padStart(8)} ${(s.successRate * 100).toFixed(1).padStart(7)}% ${mib(s.bytesIn)} ${mib(s.bytesOut)} ${s.throughputMbps.toFixed(0).padStart(8)}`);
}
const t = report.totals;
const movedBytes = t.bytesIn + t.bytesOut;
const rssMiB = report.harness.rssPeakMiB;
const moved = movedBytes >= MIN_MOVED_BYTES;
const flat = rssMiB < MAX_HARNESS_RSS_MIB;
console.log(
  `moved ${(movedBytes / 1024 ** 3).toFixed(2)} GiB in ${(durationMs / 1000).toFixed(0)} s (${t.throughputMbps.toFixed(0)} Mbps), ` +
    `success ${(t.successRate * 100).toFixed(2)} %, harness RSS peak ${rssMiB} MiB, CPU ${report.harness.cpuPercent} % of a core, ` +
    `workers ${report.harness.workers}, warnings [${report.warnings.map((w) => w.code).join(', ')}]`,
);
console.log(`load average at end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`verdict: moved ≥ 1 GiB: ${moved ? 'PASS' : 'FAIL'}; harness RSS < ${MAX_HARNESS_RSS_MIB} MiB: ${flat ? 'PASS' : 'FAIL'}; every body verified: ${t.successRate === 1 ? 'PASS' : 'FAIL'}`);
if (!moved || !flat || t.successRate !== 1) process.exitCode = 1;
