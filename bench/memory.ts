import { fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { run } from '../index.js';

/**
 * Harness memory against run length (issue #4): peak RSS of the whole harness process (main
 * thread and load workers; the origins and the embedded reference proxies run in their own
 * processes) over a run of N requests, direct and through the embedded reference proxy. Bounded
 * memory means the 1M row is within ~20 MiB of the 100k row.
 *
 * Run: `node dist/bench/memory.js [sizes]`, e.g. `node dist/bench/memory.js 10000,100000` for a
 * quick pass; the default 10k,100k,1M takes about five minutes on a 2-core machine.
 */

/** Largest allowed growth between the two largest sizes, MiB (the "within ~20 MiB"). */
const FLAT_LIMIT_MIB = 20;

const PATHS = [
  { name: 'direct', scenario: 'direct-get' },
  { name: 'reference proxy', scenario: 'http-get' },
] as const;

/** How often the child samples its own RSS for the end-of-run figure, ms. */
const RSS_SAMPLE_MS = 100;

/** The last share of the run whose RSS samples make up "RSS at end". */
const END_SHARE = 0.2;

/** What one measured run sends back to the parent. */
interface RowFigures {
  readonly requests: number;
  readonly rps: number;
  readonly rssPeakMiB: number;
  /** Median RSS over the last fifth of the run, MiB: the harness after N requests, without start-up's transient peak. */
  readonly rssEndMiB: number;
  readonly successRate: number;
}

/**
 * One bounded run in a process of its own: a shared process would carry one run's heap into the
 * next, so a row would show the largest earlier run rather than its own footprint.
 */
async function measureOne(scenario: string, requests: number): Promise<void> {
  // The peak alone over-reads growth: a longer run meets more of the transient spikes (start-up
  // heap growth, GC of large buffers) even when nothing accumulates. The end figure shows that.
  const samples: number[] = [];
  const timer = setInterval(() => samples.push(process.memoryUsage.rss()), RSS_SAMPLE_MS);
  const report = await run({ scenario, requests, concurrency: 50, warmupMs: 0 }).finally(() => clearInterval(timer));
  const end = samples.slice(Math.floor(samples.length * (1 - END_SHARE))).sort((a, b) => a - b);
  const t = report.totals;
  const figures: RowFigures = {
    requests: t.requests,
    rps: t.rps,
    rssPeakMiB: report.harness.rssPeakMiB,
    rssEndMiB: (end[Math.floor(end.length / 2)] ?? 0) / 1024 / 1024,
    successRate: t.successRate,
  };
  process.send?.(figures);
}

function runChild(scenario: string, requests: number): Promise<RowFigures> {
  const child = fork(fileURLToPath(import.meta.url), ['--one', scenario, String(requests)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    let figures: RowFigures | undefined;
    child.once('message', (message) => (figures = message as RowFigures));
    child.once('error', reject);
    child.once('exit', (code) => (figures ? resolve(figures) : reject(new Error(`the ${scenario} run of ${requests} exited with code ${code} and no figures`))));
  });
}

function row(cells: readonly (string | number)[]): string {
  const widths = [16, 10, 9, 12, 12, 9];
  return cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]!) : String(c).padStart(widths[i]!))).join(' ');
}

async function main(sizes: readonly number[]): Promise<void> {
  console.log(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(row(['path', 'requests', 'req/s', 'RSS peak MiB', 'RSS end MiB', 'success']));
  const verdicts: string[] = [];
  for (const path of PATHS) {
    const rows: RowFigures[] = [];
    for (const requests of sizes) {
      const f = await runChild(path.scenario, requests);
      rows.push(f);
      console.log(row([path.name, f.requests, Math.round(f.rps), f.rssPeakMiB.toFixed(1), f.rssEndMiB.toFixed(1), f.successRate.toFixed(4)]));
    }
    const [previous, last] = rows.slice(-2);
    if (previous && last) {
      const delta = (pick: (f: RowFigures) => number): string => {
        const d = pick(last) - pick(previous);
        return `${d >= 0 ? '+' : ''}${d.toFixed(1)} MiB (${d <= FLAT_LIMIT_MIB ? 'flat' : 'GROWING'})`;
      };
      verdicts.push(`${path.name}: ${last.requests} − ${previous.requests} requests: peak ${delta((f) => f.rssPeakMiB)}, end ${delta((f) => f.rssEndMiB)}; limit ${FLAT_LIMIT_MIB} MiB`);
    }
  }
  for (const verdict of verdicts) console.log(verdict);
  console.log(`load average at end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

if (process.argv[2] === '--one') {
  await measureOne(process.argv[3]!, Number(process.argv[4]));
} else {
  const sizes = (process.argv[2] ?? '10000,100000,1000000').split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`sizes must be positive integers, comma-separated: ${process.argv[2]}`);
  await main(sizes);
}
