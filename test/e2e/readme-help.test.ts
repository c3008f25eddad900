import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../../scripts/readme-help.mjs', import.meta.url));

describe("the README's flag reference", () => {
  it('is exactly what each command prints for --help', async () => {
    const result = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(process.execPath, [script, '--check'], (err, _stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stderr }));
    });
    expect(result, result.stderr).toEqual({ code: 0, stderr: '' });
  });
});
