import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../reports/schema.js';
import { runCli, tempDir } from '../support/cli.js';

/**
 * A hold run split in two shards (each with its own embedded proxy), merged, and shown as Markdown
 * and HTML: the held connections add up across shards and every view shows them.
 */

const CONNECTIONS = 80;

async function readJson(path: string): Promise<Report> {
  return JSON.parse(await readFile(path, 'utf8')) as Report;
}

describe('many-connections shards, merged and shown', () => {
  let dir: string;
  let shards: Report[];
  let merged: Report;

  beforeAll(async () => {
    dir = await tempDir();
    const hold = ['run', 'many-connections', '--connections', String(CONNECTIONS), '--hold', '800ms', '--trickle', '200ms', '--quiet'];
    const results = await Promise.all([0, 1].map((i) => runCli([...hold, '--shard', `${i}/2`, '--out', join(dir, `shard${i}.json`)])));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    shards = await Promise.all([0, 1].map((i) => readJson(join(dir, `shard${i}.json`))));
    const merge = await runCli(['merge', join(dir, 'shard0.json'), join(dir, 'shard1.json'), '-o', join(dir, 'all.json'), '--quiet']);
    expect(merge.code, merge.stderr).toBe(0);
    merged = await readJson(join(dir, 'all.json'));
  });

  it('adds the shards\u2019 held connections, causes, trickle counts and setup histograms', () => {
    const [a, b] = shards.map((s) => s.held!);
    expect(a!.target + b!.target).toBe(CONNECTIONS);
    const held = merged.held!;
    expect(held).toMatchObject({ target: CONNECTIONS, established: CONNECTIONS, failed: 0, closedEarly: 0, errors: {}, protocol: 'connect' });
    expect(held.phasesMs.connect.count).toBe(CONNECTIONS);
    expect(held.phasesMs.proxyHandshake.count).toBe(CONNECTIONS);
    expect(held.phasesMs.connect.max).toBe(Math.max(a!.phasesMs.connect.max, b!.phasesMs.connect.max));
    expect(held.trickle!.ok).toBe(a!.trickle!.ok + b!.trickle!.ok);
    expect(held.openingMs).toBe(Math.max(a!.openingMs, b!.openingMs));
    expect(held.holdMs).toBe(Math.min(a!.holdMs, b!.holdMs));
  });

  it('adds the RSS of the two shards\u2019 own proxies for the cost per 1,000 held', () => {
    const [a, b] = shards.map((s) => s.held!);
    expect(shards[0]!.sut!.pid).not.toBe(shards[1]!.sut!.pid);
    const held = merged.held!;
    expect(held.sutRssBaselineMiB).toBeCloseTo(a!.sutRssBaselineMiB! + b!.sutRssBaselineMiB!, 1);
    expect(held.sutRssHeldMiB).toBeCloseTo(a!.sutRssHeldMiB! + b!.sutRssHeldMiB!, 1);
    expect(held.sutRssPerThousandMiB).toBeCloseTo(((held.sutRssHeldMiB! - held.sutRssBaselineMiB!) / CONNECTIONS) * 1000, 2);
  });

  it('shows the held connections in the Markdown and HTML views', async () => {
    const md = join(dir, 'all.md');
    const html = join(dir, 'all.html');
    const result = await runCli(['report', join(dir, 'all.json'), '--md', md, '--html', html]);
    expect(result.code, result.stderr).toBe(0);
    const markdown = await readFile(md, 'utf8');
    expect(markdown).toContain(`measured · holding ${CONNECTIONS} connect connections ·`);
    expect(markdown).toContain(`**Held:** ${CONNECTIONS}/${CONNECTIONS} connect connections to the http origin established, 0 failed, 0 closed early`);
    expect(markdown).toMatch(/\| connect \| 80 \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \|/);
    expect(markdown).toContain('per 1,000 held');
    const page = await readFile(html, 'utf8');
    expect(page).toContain('<section id="held"');
    expect(page).toContain(`${CONNECTIONS} of ${CONNECTIONS} connect to the http origin established`);
  });
});
