import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built CLI, as `npx proxybench` runs it. */
export const CLI = fileURLToPath(new URL('../../dist/harness/cli/main.js', import.meta.url));

/** What a finished CLI process left. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Starts the CLI with `args`; the caller may signal it. Environment: CI-like (no TTY). `detached`
 * makes it the leader of its own process group, as a shell starts a foreground job.
 */
export function startCli(args: readonly string[], env: Readonly<Record<string, string>> = {}, options: { readonly detached?: boolean } = {}): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: options.detached ?? false });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

/** Runs the CLI to completion. */
export function runCli(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<CliResult> {
  return startCli(args, env).done;
}

/** A fresh temporary folder for report files. */
export function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'proxybench-test-'));
}
