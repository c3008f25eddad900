import { loadavg } from 'node:os';
import { run } from '../index.js';
import type { Report } from '../reports/schema.js';
import { AnyLoopbackPort } from './fixtures/loopback-allowlist.js';
import { startStallOnceProxy } from './fixtures/stall-once-proxy.js';
import { startTruthProxy } from './fixtures/truth-proxies.js';

/**
 * Known-truth runs (issue #4): each drives a proxy whose effect is known exactly and prints the
 * measurement beside the expectation. Run: `node dist/bench/truth.js` (about 80 s).
 */

interface Row {
  readonly check: string;
  readonly expected: string;
  readonly measured: string;
  readonly ok: boolean;
}

/** p50 of a run's successful requests from the moment each was sent, ms (the closed model's latency). */
function sentP50Ms(report: Report): number {
  return report.totals.serviceTimeMs.p50;
}

/**
 * Two rows. The issue's: proxied p50 against the direct baseline, which runs back to back, so
 * every process stays hot. And the same proxy with no delay at the proxied run's request rate:
 * on a shared VM a request that arrives after ~50 ms of idle pays a wake-up on each process it
 * crosses (measured ~1 ms direct, ~2 ms through the proxy, vs 0.1 and 0.5 ms back to back), a real
 * cost of the path that the direct baseline does not pay. The second row isolates the 50 ms.
 */
async function fixedDelay(): Promise<Row[]> {
  const delayed = await startTruthProxy({ mode: 'delay', delayMs: 50 });
  const report = await run({ scenario: 'http-get', proxies: [`http://127.0.0.1:${delayed.port}`], concurrency: 4, workers: 1, durationMs: 10_000, warmupMs: 1000, directBaseline: true }).finally(() => delayed.close());
  const undelayed = await startTruthProxy({ mode: 'delay', delayMs: 0 });
  // The open model at the delayed run's rate spaces the requests as that run did.
  const paced = await run({ scenario: 'http-get', proxies: [`http://127.0.0.1:${undelayed.port}`], rate: Math.round(report.totals.rps), maxInFlight: 4, workers: 1, durationMs: 10_000, warmupMs: 1000 }).finally(() => undelayed.close());
  const proxied = sentP50Ms(report);
  const direct = report.directBaseline!.byKind['get-1k']!.serviceTimeMs.p50;
  const reference = sentP50Ms(paced);
  return [
    {
      check: 'proxy adding a fixed 50 ms (issue)',
      expected: 'p50 = direct p50 + 50 ms (± 1 ms)',
      measured: `p50 ${proxied.toFixed(3)} ms = direct ${direct.toFixed(3)} + ${(proxied - direct).toFixed(3)} ms`,
      ok: Math.abs(proxied - direct - 50) <= 1,
    },
    {
      check: '… against the same proxy without delay',
      expected: 'p50 = its p50 at the same rate + 50 ms (± 1 ms)',
      measured: `p50 ${proxied.toFixed(3)} ms = ${reference.toFixed(3)} (${Math.round(paced.totals.rps)} req/s) + ${(proxied - reference).toFixed(3)} ms`,
      ok: Math.abs(proxied - reference - 50) <= 1,
    },
  ];
}

async function rejectOneInTen(): Promise<Row> {
  const proxy = await startTruthProxy({ mode: 'reject', every: 10 });
  try {
    // No backoff: the proxy's refusals are the point, not a reason to slow down.
    const report = await run({ scenario: 'http-get', proxies: [`http://127.0.0.1:${proxy.port}`], concurrency: 16, workers: 1, requests: 12_000, warmupMs: 0, backoff: { initialMs: 0, maxMs: 0 } });
    const t = report.totals;
    return {
      check: 'proxy rejecting 1 request in 10',
      expected: 'successRate 0.900 ± 0.005 over ≥ 10k',
      measured: `successRate ${t.successRate.toFixed(4)} over ${t.requests} (proxy_refused ${t.errors.proxy_refused ?? 0})`,
      ok: t.requests >= 10_000 && Math.abs(t.successRate - 0.9) <= 0.005,
    };
  } finally {
    await proxy.close();
  }
}

async function stallOnce(): Promise<Row> {
  // The stall begins 8 s after the proxy's first request (1 s of warm-up included).
  const proxy = await startStallOnceProxy({ allow: new AnyLoopbackPort(), stallAtMs: 8000, stallMs: 1000 });
  try {
    const report = await run({ scenario: 'http-get', proxies: [`http://127.0.0.1:${proxy.port}`], rate: 500, maxInFlight: 20, workers: 1, durationMs: 20_000, warmupMs: 1000 });
    const t = report.totals;
    return {
      check: '1 s stall, open model 500 req/s for 20 s',
      expected: 'latency p99 hundreds of ms; service time p99 small',
      // The warnings are printed because they are part of what the reader is told about this run.
      measured: `latency p99 ${t.latencyMs.p99} ms (max ${t.latencyMs.max}) · service time p99 ${t.serviceTimeMs.p99} ms · ${t.late} late · warnings: ${report.warnings.map((w) => w.code).join(', ') || 'none'}`,
      ok: t.latencyMs.p99 >= 200 && t.serviceTimeMs.p99 < t.latencyMs.p99 / 5,
    };
  } finally {
    await proxy.close();
  }
}

const rows: Row[] = [];
for (const check of [fixedDelay, rejectOneInTen, stallOnce]) {
  const result = await check();
  for (const row of Array.isArray(result) ? result : [result]) {
    rows.push(row);
    console.log(`${row.ok ? 'ok  ' : 'MISS'}  ${row.check.padEnd(42)} expected: ${row.expected.padEnd(52)} measured: ${row.measured}`);
  }
}
console.log(`load average: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
process.exitCode = rows.every((r) => r.ok) ? 0 : 1;
