import { lookup } from 'node:dns/promises';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../reports/schema.js';
import { runCli, tempDir } from '../support/cli.js';
import { startRecordingSocks5, type RecordingSocks5 } from '../fixtures/recording-proxies.js';
import { SELF_SIGNED_CERT_PEM, SELF_SIGNED_KEY_PEM } from '../fixtures/self-signed-localhost.js';
import { startUserOrigin, USER_FILE_BYTES, type UserOrigin } from '../fixtures/user-origin.js';

/**
 * `run --target https://…` (issue #13): TLS with the user's own target inside the proxy's tunnel,
 * checked against the system CAs plus `--target-ca`, with the target's name as SNI; and targets
 * through a SOCKS5 proxy, where socks5h:// hands the proxy the name and socks5:// the address
 * resolved here. The https target has a self-signed certificate for localhost.
 */

const FAST = ['--warmup', '0', '--concurrency', '2', '--workers', '1'];

let tlsOrigin: UserOrigin;
let plainOrigin: UserOrigin;
let socks: RecordingSocks5;
let caFile: string;
/** What `localhost` resolves to here, as the harness resolves it for socks5:// (127.0.0.1, or ::1 where that comes first). */
let localhost: { address: string; family: number };

beforeAll(async () => {
  localhost = await lookup('localhost');
  // The targets listen where their name leads: loopback either way.
  tlsOrigin = await startUserOrigin({ cert: SELF_SIGNED_CERT_PEM, key: SELF_SIGNED_KEY_PEM }, localhost.address);
  plainOrigin = await startUserOrigin(undefined, localhost.address);
  socks = await startRecordingSocks5();
  caFile = join(await tempDir(), 'ca.pem');
  await writeFile(caFile, SELF_SIGNED_CERT_PEM);
});

afterAll(async () => {
  await socks?.close();
  await tlsOrigin?.close();
  await plainOrigin?.close();
});

async function runReport(args: readonly string[]): Promise<{ code: number | null; stderr: string; report: Report }> {
  const out = join(await tempDir(), 'report.json');
  const result = await runCli(['run', ...args, '--out', out]);
  return { code: result.code, stderr: result.stderr, report: JSON.parse(await readFile(out, 'utf8')) as Report };
}

describe('an https target through CONNECT (the embedded proxy)', () => {
  it('succeeds with --target-ca, SNI the target\'s name', async () => {
    tlsOrigin.seen.length = 0;
    const run = await runReport(['http-get', '--target', `https://localhost:${tlsOrigin.port}/file`, '--target-ca', caFile, '--requests', '12', '--new-connection-per-request', ...FAST]);
    expect(run.code, run.stderr).toBe(0);
    const stats = run.report.byKind[`localhost-${tlsOrigin.port}-file`]!;
    expect(stats).toMatchObject({ requests: 12, successes: 12, verification: 'length', bytesIn: 12 * USER_FILE_BYTES });
    // A new tunnel and TLS handshake per request: each measured.
    expect(stats.phasesMs.tls.count).toBe(12);
    expect(stats.phasesMs.proxyHandshake.count).toBe(12);
    expect(run.report.config.mix[0]!.protocol).toBe('connect');
    expect(tlsOrigin.seen).toHaveLength(12);
    expect(tlsOrigin.seen.every((s) => s.servername === 'localhost')).toBe(true);
  });

  it('fails every request with a tls cause without it (the system CAs do not know the certificate)', async () => {
    const run = await runReport(['http-get', '--target', `https://localhost:${tlsOrigin.port}/file`, '--requests', '4', ...FAST]);
    expect(run.code, run.stderr).toBe(1);
    const stats = run.report.byKind[`localhost-${tlsOrigin.port}-file`]!;
    expect(stats.successes).toBe(0);
    expect(Object.keys(stats.errors)).toEqual(['tls']);
    expect(stats.errors.tls).toBe(stats.requests);
  });
});

describe('targets through a SOCKS5 proxy only', () => {
  const targets = (): string[] => [
    '--target', `https://localhost:${tlsOrigin.port}/file`, '--target', `http://localhost:${plainOrigin.port}/chunked`, '--target-ca', caFile,
  ];

  it('socks5h:// hands the proxy the target\'s name (ATYP 3); both targets go through SOCKS5', async () => {
    socks.requests.length = 0;
    tlsOrigin.seen.length = 0;
    const run = await runReport(['http-get', ...targets(), '--proxy', `socks5h://127.0.0.1:${socks.port}`, '--requests', '16', ...FAST]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.report.config.mix.map((m) => m.protocol)).toEqual(['socks5', 'socks5']);
    expect(run.report.totals).toMatchObject({ requests: 16, successes: 16 });
    expect(socks.requests.length).toBeGreaterThan(0);
    expect(new Set(socks.requests.map((r) => `${r.addressType} ${r.host}:${r.port}`))).toEqual(new Set([`3 localhost:${tlsOrigin.port}`, `3 localhost:${plainOrigin.port}`]));
    expect(tlsOrigin.seen.every((s) => s.servername === 'localhost')).toBe(true);
  });

  it('socks5:// resolves the name here and sends the address (ATYP 1)', async () => {
    socks.requests.length = 0;
    const run = await runReport(['http-get', ...targets(), '--proxy', `socks5://127.0.0.1:${socks.port}`, '--requests', '16', ...FAST]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.report.totals).toMatchObject({ requests: 16, successes: 16 });
    const atyp = localhost.family === 6 ? 4 : 1;
    expect(new Set(socks.requests.map((r) => `${r.addressType} ${r.host}:${r.port}`))).toEqual(new Set([`${atyp} ${localhost.address}:${tlsOrigin.port}`, `${atyp} ${localhost.address}:${plainOrigin.port}`]));
  });
});
