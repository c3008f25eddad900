import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { Report } from '../../index.js';
import { Allowlist } from '../../mock-targets/proxies/allowlist.js';
import { startHttpProxy, type RunningProxyServer } from '../../mock-targets/proxies/http-proxy.js';
import { CLI, runCli, tempDir } from '../support/cli.js';
import { readManifests } from './kube-manifests.js';

// The Indexed Job's exact command lines, run as N local processes against one `proxybench
// targets` and merged by the merge Job's own command line: what the cluster would do, on one
// machine. Only what cannot run here is replaced — the volume paths, the proxy's address, a
// shorter load (rate, duration, warm-up) so the test stays short — and nothing else of the
// manifests' arguments.

/** Admits the loopback targets only. */
class LoopbackOnly extends Allowlist {
  constructor() {
    super([]);
  }

  override allows(host: string): boolean {
    return host.startsWith('127.');
  }
}

let proxy: RunningProxyServer;
beforeAll(async () => {
  proxy = await startHttpProxy({ allow: new LoopbackOnly() });
});
afterAll(async () => {
  await proxy.close();
});

/** The container of the manifest of `kind` whose args start with `command`. */
async function containerOf(kind: string, command: string): Promise<IContainer> {
  for (const manifest of await readManifests()) {
    const value = manifest.value as { kind?: string; spec?: { template?: { spec?: { containers?: IContainer[] } } } };
    if (value.kind !== kind) continue;
    const container = value.spec?.template?.spec?.containers?.find((c) => c.args?.[0] === command);
    if (container) return container;
  }
  throw new Error(`no ${kind} runs '${command}'`);
}

/** `args` with the value after each flag in `values` replaced. */
function withValues(args: readonly string[], values: Readonly<Record<string, string>>): string[] {
  return args.map((arg, i) => (i > 0 && values[args[i - 1]!] !== undefined ? values[args[i - 1]!]! : arg));
}

describe('the Indexed Job, run as local processes', () => {
  it('runs every shard command line against one `proxybench targets`, and the merge command adds them into the whole run', async () => {
    const dir = await tempDir();
    // The targets Deployment's command, on loopback ephemeral ports (fixed ports may be taken here).
    const targetsArgs = (await containerOf('Deployment', 'targets')).args!;
    const localTargets = withValues(targetsArgs, { '--host': '127.0.0.1', '--advertise': '127.0.0.1' }).filter((arg, i, all) => !/-port$/.test(arg) && !/-port$/.test(all[i - 1] ?? ''));
    const targets = spawn(process.execPath, [CLI, ...localTargets], { stdio: ['ignore', 'pipe', 'inherit'] });
    const targetsExit = new Promise<number | null>((resolve) => targets.once('close', resolve));
    try {
      const line = await new Promise<string>((resolve) => createInterface({ input: targets.stdout! }).once('line', resolve));
      const targetsFile = join(dir, 'targets.json');
      await writeFile(targetsFile, `${line}\n`);

      const shard = await containerOf('Job', 'run');
      const shardArgs = shard.args!;
      const count = Number(/\/(\d+)$/.exec(shardArgs[shardArgs.indexOf('--shard') + 1]!)![1]);
      const rate = 40;
      const startAt = String(Date.now() + 4000);
      const results = await Promise.all(Array.from({ length: count }, (_, index) => {
        // What Kubernetes does: $(VAR) in args expanded from the container's env.
        const env: Record<string, string> = { JOB_COMPLETION_INDEX: String(index), START_AT: startAt, PROXY_URL: `http://127.0.0.1:${proxy.port}` };
        const expanded = shardArgs.map((arg) => arg.replace(/\$\((\w+)\)/g, (_m, name: string) => env[name] ?? `$(${name})`));
        const local = withValues(expanded, { '--rate': String(rate), '--duration': '2s', '--warmup': '0s', '--targets': targetsFile })
          .map((arg) => arg.replace('/reports/', `${dir}/`));
        return runCli(local);
      }));
      for (const result of results) expect(result.code, result.stderr).toBe(0);

      const mergeArgs = (await containerOf('Job', 'merge')).args!.map((arg) => arg.replace('/reports/', `${dir}/`));
      const merged = await runCli(mergeArgs);
      expect(merged.code, merged.stderr).toBe(0);
      const report = JSON.parse(await readFile(join(dir, 'merged.json'), 'utf8')) as Report;
      expect(report.shards?.map((s) => s.index).sort()).toEqual(Array.from({ length: count }, (_, i) => i));
      expect(report.merged?.mode).toBe('shards');
      // Each shard offered its share; the merge offers the sum, the whole run's rate.
      expect(report.load.model).toBe('open');
      if (report.load.model === 'open') expect(report.load.offeredRps).toBeCloseTo(rate, 6);
      expect(report.totals.requests).toBeGreaterThan(0);
      expect(report.totals.successes).toBe(report.totals.requests);
      expect(report.thresholds.map((t) => [t.expression, t.passed])).toEqual([['successRate>=0.999', true]]);
    } finally {
      targets.kill('SIGINT');
      expect(await targetsExit).toBe(0);
    }
  });
});
