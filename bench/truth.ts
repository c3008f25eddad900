import { run } from '../index.js';
import { AnyLoopbackPort } from './fixtures/loopback-allowlist.js';
import { startStallOnceProxy } from './fixtures/stall-once-proxy.js';
import { startTruthProxy } from './fixtures/truth-proxies.js';

/**
 * Known-truth runs (issue #4): each drives a proxy whose effect is known exactly and prints the
 * measurement beside the expectation. Run: `node dist/bench/truth.js` (about a minute).
 */

interface Row {
  readonly check: string;
  readonly expected: string;
  readonly measured: string;
  readonly ok: boolean;
}

async function fixedDelay(): Promise<Row> {
  const proxy = await startTruthProxy({ mode: 'delay', delayMs: 50 });
  try {
    const report = await run({ scenario: 'http-get', proxies: [`http://127.0.0.1:${proxy.port}`], concurrency: 4, workers: 1, durationMs: 10_000, warmupMs: 1000, directBaseline: true });
    const proxied = report.totals.latencyMs.p50;
    const direct = report.directBaseline!.byKind['get-1k']!.latencyMs.p50;
    const added = proxied - direct;
    return {
      check: 'proxy adding a fixed 50 ms',
      expected: 'p50 = direct p50 + 50 ms (± 1 ms)',
      measured: `p50 ${proxied.toFixed(3)} ms = direct ${direct.toFixed(3)} + ${added.toFixed(3)} ms`,
      ok: Math.abs(added - 50) <= 1,
    };
  } finally {
    await proxy.close();
  }
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
      measured: `latency p99 ${t.latencyMs.p99} ms (max ${t.latencyMs.max}) · service time p99 ${t.serviceTimeMs.p99} ms · ${t.late} late`,
      ok: t.latencyMs.p99 >= 200 && t.serviceTimeMs.p99 < t.latencyMs.p99 / 5,
    };
  } finally {
    await proxy.close();
  }
}

const rows: Row[] = [];
for (const check of [fixedDelay, rejectOneInTen, stallOnce]) {
  rows.push(await check());
  const row = rows[rows.length - 1]!;
  console.log(`${row.ok ? 'ok  ' : 'MISS'}  ${row.check.padEnd(42)} expected: ${row.expected.padEnd(52)} measured: ${row.measured}`);
}
process.exitCode = rows.every((r) => r.ok) ? 0 : 1;
