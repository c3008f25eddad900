import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Runs `node <flags> -e <script>` in the repository, where `proxybench` resolves to the package itself. */
function nodeEval(flags: readonly string[], script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...flags, '-e', script], { cwd: REPO, timeout: 50_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('the typed API run from `node --input-type=module -e`', () => {
  it('runs its workers and children without the flags of the eval (not allowed in a worker thread)', async () => {
    const script = `
      import { run } from 'proxybench';
      const report = await run({ scenario: 'http-get', durationMs: 1000, warmupMs: 0, concurrency: 2, workers: 2 });
      console.log(JSON.stringify({ requests: report.totals.requests, successes: report.totals.successes, workers: report.harness.workers }));`;
    const result = await nodeEval(['--input-type=module'], script);
    expect(result.code, result.stderr).toBe(0);
    const totals = JSON.parse(result.stdout.trim().split('\n').pop()!) as { requests: number; successes: number; workers: number };
    expect(totals.requests).toBeGreaterThan(0);
    expect(totals.successes).toBe(totals.requests);
    expect(totals.workers).toBe(2);
  });
});
