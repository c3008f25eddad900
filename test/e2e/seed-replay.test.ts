import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AnyLoopbackPort } from '../../bench/fixtures/loopback-allowlist.js';
import { startHttpProxy, type RunningProxyServer } from '../../mock-targets/proxies/http-proxy.js';
import type { Report } from '../../reports/schema.js';
import { runCli, tempDir } from '../support/cli.js';

let proxy: RunningProxyServer | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

/** A forward proxy that refuses about a quarter of the requests, at random (unseeded): failures fall differently in every run. */
function startRandomlyFailingProxy(): Promise<RunningProxyServer> {
  return startHttpProxy({ allow: new AnyLoopbackPort() }, { admit: () => (Math.random() < 0.25 ? 503 : undefined) });
}

const REQUESTS = 300;
const KINDS = ['a', 'b', 'c'];

/** One `--requests` run, one worker, one request in flight, no warm-up: the mix is a function of the seed alone. */
async function kindCounts(scenarioFile: string, port: number): Promise<{ counts: Record<string, number>; failures: number }> {
  const out = join(await tempDir(), 'r.json');
  const result = await runCli([
    'run', scenarioFile, '--proxy', `http://127.0.0.1:${port}`, '--seed', '7',
    '--requests', String(REQUESTS), '--duration', '60s', '--warmup', '0s', '--concurrency', '1', '--workers', '1',
    '--backoff-initial', '1ms', '--backoff-max', '4ms', '--out', out,
  ]);
  expect(result.code, result.stderr).toBe(0);
  const report = JSON.parse(await readFile(out, 'utf8')) as Report;
  expect(report.totals.requests).toBe(REQUESTS);
  return { counts: Object.fromEntries(KINDS.map((k) => [k, report.byKind[k]!.requests])), failures: report.totals.failures };
}

describe('--seed replays the request mix whatever the proxy fails', () => {
  it('gives the same per-kind request counts in two runs with one seed against a randomly failing proxy', async () => {
    const file = join(await tempDir(), 'three-kinds.json');
    const mix = KINDS.map((name) => ({ name, weight: 1, protocol: 'http-forward', operation: { op: 'download', bytes: 128 } }));
    await writeFile(file, JSON.stringify({ name: 'three-kinds', mix }));
    proxy = await startRandomlyFailingProxy();
    const first = await kindCounts(file, proxy.port);
    const second = await kindCounts(file, proxy.port);
    console.log(`per-kind requests: ${JSON.stringify(first.counts)} (${first.failures} failed) vs ${JSON.stringify(second.counts)} (${second.failures} failed)`);
    // Failures (and so backoffs, each drawing jitter) happened in both runs, at random places.
    expect(first.failures).toBeGreaterThan(0);
    expect(second.failures).toBeGreaterThan(0);
    expect(second.counts).toEqual(first.counts);
  });
});
