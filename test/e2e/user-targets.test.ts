import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningProxyServer } from '../../mock-targets/proxies/http-proxy.js';
import type { Report } from '../../reports/schema.js';
import { runCli, tempDir } from '../support/cli.js';
import { startRecordingHttpProxy, type RecordingLoopbackAllowlist } from '../fixtures/recording-proxies.js';
import { startUserOrigin, USER_FILE_BYTES, type UserOrigin } from '../fixtures/user-origin.js';

/**
 * `run --target URL` (issue #13): the proxy is driven toward an upstream of the user's own — here a
 * plain node:http server in the test serving 100 KiB of random bytes — and nothing else. Its bodies
 * are verified by status and length (and by SHA-256 when given), and the report says so per kind.
 */

const FAST = ['--warmup', '0', '--concurrency', '2', '--workers', '1'];

let origin: UserOrigin;
let recording: { proxy: RunningProxyServer; allow: RecordingLoopbackAllowlist };

beforeAll(async () => {
  origin = await startUserOrigin();
  recording = await startRecordingHttpProxy();
});

afterAll(async () => {
  await recording?.proxy.close();
  await origin?.close();
});

async function runReport(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string; report: Report; text: string }> {
  const out = join(await tempDir(), 'report.json');
  const result = await runCli(['run', ...args, '--out', out]);
  const text = await readFile(out, 'utf8');
  return { ...result, report: JSON.parse(text) as Report, text };
}

describe('run --target through a proxy', () => {
  it('verifies by length (Content-Length, or the counted chunks) and sends the proxy to the named target only', async () => {
    const base = `http://127.0.0.1:${origin.port}`;
    origin.seen.length = 0;
    recording.allow.asked.length = 0;
    const run = await runReport([
      'http-get', '--target', `${base}/file`, '--target', `${base}/chunked`,
      '--proxy', `http://127.0.0.1:${recording.proxy.port}`, '--requests', '40', ...FAST,
    ]);
    expect(run.code, run.stderr).toBe(0);
    const { report } = run;
    const fileKind = `127.0.0.1-${origin.port}-file`;
    const chunkedKind = `127.0.0.1-${origin.port}-chunked`;
    expect(Object.keys(report.byKind).sort()).toEqual([chunkedKind, fileKind].sort());
    for (const kind of [fileKind, chunkedKind]) {
      const stats = report.byKind[kind]!;
      expect(stats.verification).toBe('length');
      expect(stats.successRate).toBe(1);
      expect(stats.bytesIn).toBe(stats.requests * USER_FILE_BYTES);
    }
    expect(report.totals.requests).toBe(40);
    expect(report.totals.bytesIn).toBe(40 * USER_FILE_BYTES);
    expect(report.config.mix.map((m) => m.protocol)).toEqual(['http-forward', 'http-forward']);
    expect(report.config.userTargets).toEqual([
      { url: `${base}/file`, kind: fileKind, verification: 'length' },
      { url: `${base}/chunked`, kind: chunkedKind, verification: 'length' },
    ]);
    // The proxy was asked for the named target and nothing else; the target saw only the named paths.
    expect(new Set(recording.allow.asked)).toEqual(new Set([`127.0.0.1:${origin.port}`]));
    expect(recording.allow.asked.length).toBeGreaterThanOrEqual(40);
    expect(new Set(origin.seen.map((s) => s.path))).toEqual(new Set(['/file', '/chunked']));
    expect(run.stdout).toContain(`${fileKind} (verified: length only)`);
  });

  it('fails a body shorter than its Content-Length (reset, as the connection closed mid-body)', async () => {
    const run = await runReport(['http-get', '--target', `http://127.0.0.1:${origin.port}/short`, '--proxy', `http://127.0.0.1:${recording.proxy.port}`, '--requests', '10', ...FAST]);
    // Every request failed: exit 1.
    expect(run.code, run.stderr).toBe(1);
    const stats = run.report.byKind[`127.0.0.1-${origin.port}-short`]!;
    expect(stats.requests).toBe(10);
    expect(stats.successes).toBe(0);
    expect(stats.errors).toEqual({ reset: 10 });
  });

  it('counts a 404 from the target as http_status, not as the proxy refusing', async () => {
    const run = await runReport(['http-get', '--target', `http://127.0.0.1:${origin.port}/missing`, '--proxy', `http://127.0.0.1:${recording.proxy.port}`, '--requests', '6', ...FAST]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.report.byKind[`127.0.0.1-${origin.port}-missing`]!.errors).toEqual({ http_status: 6 });
  });
});

describe('run --target with --target-sha256, through the embedded proxy', () => {
  it('verifies the digest (and the direct baseline too); user info goes to the target as Basic auth and never into the report', async () => {
    origin.seen.length = 0;
    const url = `http://alice:s3cret-pw@127.0.0.1:${origin.port}/file?v=2`;
    const run = await runReport(['http-get', '--target', url, '--target-sha256', origin.sha256Hex.toUpperCase(), '--requests', '20', '--direct-baseline', ...FAST]);
    expect(run.code, run.stderr).toBe(0);
    const kind = `127.0.0.1-${origin.port}-file-v-2`;
    const stats = run.report.byKind[kind]!;
    expect(stats).toMatchObject({ requests: 20, successes: 20, verification: 'sha256', bytesIn: 20 * USER_FILE_BYTES });
    expect(run.report.directBaseline?.byKind[kind]).toMatchObject({ requests: 20, successes: 20, verification: 'sha256' });
    expect(run.report.config.embeddedProxies).toBe(true);
    expect(run.report.config.userTargets).toEqual([{ url: `http://***@127.0.0.1:${origin.port}/file?v=2`, kind, verification: 'sha256' }]);
    expect(run.text).not.toContain('s3cret-pw');
    expect(run.stdout).not.toContain('s3cret-pw');
    expect(run.stdout).toContain(`${kind} (verified: sha256)`);
    const basic = `Basic ${Buffer.from('alice:s3cret-pw').toString('base64')}`;
    expect(origin.seen.length).toBe(40);
    expect(origin.seen.every((s) => s.path === '/file?v=2' && s.authorization === basic)).toBe(true);
  });

  it('fails every body whose digest differs as integrity, and exits 1', async () => {
    const wrong = '0'.repeat(64);
    const run = await runReport(['http-get', '--target', `http://127.0.0.1:${origin.port}/file`, '--target-sha256', wrong, '--requests', '8', ...FAST]);
    expect(run.code, run.stderr).toBe(1);
    const stats = run.report.byKind[`127.0.0.1-${origin.port}-file`]!;
    expect(stats).toMatchObject({ requests: 8, successes: 0, verification: 'sha256', errors: { integrity: 8 } });
    // Each body arrived whole before its digest was judged.
    expect(stats.bytesIn).toBe(8 * USER_FILE_BYTES);
  });
});

describe('a scenario file with targets', () => {
  it('drives its targets with its load defaults', async () => {
    const dir = await tempDir();
    const file = join(dir, 'mine.json');
    await writeFile(file, JSON.stringify({
      name: 'my-upstream',
      targets: [{ url: `http://127.0.0.1:${origin.port}/file`, sha256: origin.sha256Hex }, { url: `http://127.0.0.1:${origin.port}/chunked` }],
      defaults: { warmup: '0s', concurrency: 2 },
    }));
    const run = await runReport([file, '--requests', '20', '--workers', '1']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.report.scenario).toBe('my-upstream');
    expect(run.report.config.load).toMatchObject({ model: 'closed', concurrency: 2 });
    expect(run.report.byKind[`127.0.0.1-${origin.port}-file`]).toMatchObject({ verification: 'sha256', successRate: 1 });
    expect(run.report.byKind[`127.0.0.1-${origin.port}-chunked`]).toMatchObject({ verification: 'length', successRate: 1 });
  });
});
