import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { sampleProcessTree, type ProcessTreeSample } from '../../harness/sut/process-tree-sampler.js';

const children: ChildProcess[] = [];
afterEach(() => {
  // Each test's tree leads its own process group; kill the whole group, by pid.
  for (const child of children.splice(0)) {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

function startTree(script: string): ChildProcess {
  const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore', detached: true });
  children.push(child);
  return child;
}

/** Samples until `done` holds (at most 100 tries, 20 ms apart); returns the last sample. */
async function sampleUntil(pid: number, done: (s: ProcessTreeSample | undefined) => boolean): Promise<ProcessTreeSample | undefined> {
  let sample: ProcessTreeSample | undefined;
  for (let i = 0; i < 100; i++) {
    sample = await sampleProcessTree(pid);
    if (done(sample)) break;
    await delay(20);
  }
  return sample;
}

describe('sampleProcessTree', () => {
  it('reads this very process: memory, CPU time, open fds and threads', async () => {
    const beforeMs = Date.now();
    const sample = await sampleProcessTree(process.pid);
    const afterMs = Date.now();
    const vmRssKiB = Number(/^VmRSS:\s+(\d+)/m.exec(await readFile('/proc/self/status', 'utf8'))?.[1]);
    expect(sample?.rssBytes).toBeGreaterThan(0);
    // Same order of magnitude as the kernel's own figure a moment later.
    expect(sample?.rssBytes).toBeGreaterThan(vmRssKiB * 1024 * 0.5);
    expect(sample?.cpuTimeMs).toBeGreaterThan(0);
    expect(sample?.fds).toBeGreaterThan(2);
    expect(sample?.threads).toBeGreaterThanOrEqual(1);
    expect(sample?.processes).toBeGreaterThanOrEqual(1);
    // Stamped while it sampled, in epoch ms: between the clock read just before and just after.
    expect(sample?.wallMs).toBeGreaterThanOrEqual(beforeMs);
    expect(sample?.wallMs).toBeLessThanOrEqual(afterMs);
  });

  it('sums a tree: a node process that started a node child counts two processes and both their threads', async () => {
    const root = startTree(`require('child_process').spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { stdio: 'ignore' }); setTimeout(() => {}, 20000);`);
    const pid = root.pid as number;
    expect((await sampleUntil(pid, (s) => (s?.processes ?? 0) >= 2))?.processes).toBe(2);
    const childPid = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8')).trim();
    const rssKiB = async (p: string | number): Promise<number> =>
      Number(/^VmRSS:\s+(\d+)/m.exec(await readFile(`/proc/${p}/status`, 'utf8'))?.[1]);
    const sumBytes = async (): Promise<number> => ((await rssKiB(pid)) + (await rssKiB(childPid))) * 1024;
    // The child may still be starting (growing): bracket the tree's reading with the kernel's.
    const before = await sumBytes();
    const tree = await sampleProcessTree(pid);
    const after = await sumBytes();
    expect(tree?.processes).toBe(2);
    // Every node process runs several threads (main, V8 platform workers).
    expect(tree?.threads).toBeGreaterThanOrEqual(4);
    expect(tree?.rssBytes).toBeGreaterThanOrEqual(Math.min(before, after) * 0.9);
    expect(tree?.rssBytes).toBeLessThanOrEqual(Math.max(before, after) * 1.1);
  });

  it('counts a zombie child as no process, yet keeps its CPU time', async () => {
    // The shell becomes `sleep`, which never reaps its exited child: a zombie in the tree.
    const root = spawn('/bin/sh', ['-c', 'sleep 0 & exec sleep 20'], { stdio: 'ignore', detached: true });
    children.push(root);
    let zombie = false;
    for (let i = 0; i < 100 && !zombie; i++) {
      const kids = await readFile(`/proc/${root.pid}/task/${root.pid}/children`, 'utf8').catch(() => '');
      const kid = kids.trim().split(' ')[0];
      zombie = kid ? / Z /.test(await readFile(`/proc/${kid}/stat`, 'utf8').catch(() => '')) : false;
      if (!zombie) await delay(20);
    }
    expect(zombie).toBe(true);
    const sample = await sampleProcessTree(root.pid as number);
    expect(sample?.processes).toBe(1);
  });

  it('resolves undefined once the root has exited', async () => {
    const child = startTree('');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(await sampleProcessTree(child.pid as number)).toBeUndefined();
  });
});
