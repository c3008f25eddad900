import { ReportError } from '../harness/errors.js';
import { mergeStatsRecords } from './merge-stats.js';
import { proxyOverhead } from './proxy-overhead.js';
import type { HarnessResources, LoadSummary, ProxyOverhead, Report, Stats, SutResources } from './schema.js';

/**
 * The non-additive parts of a merge: load, the harness's and the SUT's resources, and the direct
 * baseline. Each rule says what the merged figure means when shards ran side by side.
 */

/** Load of shards together: concurrency and offered rate add; `achievedRps` is the merged total rate. */
export function mergeLoad(loads: readonly LoadSummary[], achievedRps: number): LoadSummary {
  if (loads.every((l) => l.model === 'closed')) {
    return { model: 'closed', concurrency: loads.reduce((n, l) => n + (l.model === 'closed' ? l.concurrency : 0), 0), achievedRps };
  }
  const open = loads.filter((l): l is Extract<LoadSummary, { model: 'open' }> => l.model === 'open');
  if (open.length !== loads.length) throw new ReportError('cannot merge shards run with different load models (open and closed)');
  return {
    model: 'open',
    offeredRps: Math.round(open.reduce((n, l) => n + l.offeredRps, 0) * 100) / 100,
    achievedRps,
    // Shards' peaks need not coincide: the sum is an upper bound of the merged peak.
    maxInFlight: open.reduce((n, l) => n + l.maxInFlight, 0),
    scheduleKept: open.every((l) => l.scheduleKept),
  };
}

/**
 * Harness resources of all shards: workers add, CPU per request is exact (total CPU over total
 * requests), and the rest is the busiest shard's, because each shard is its own process (often on
 * its own machine) and the question these figures answer is "was any generator the bottleneck?".
 */
export function mergeHarness(reports: readonly Report[]): HarnessResources {
  const requests = reports.reduce((n, r) => n + r.totals.requests, 0);
  const cpuUs = reports.reduce((n, r) => n + r.harness.cpuUsPerRequest * r.totals.requests, 0);
  const max = (pick: (h: HarnessResources) => number): number => Math.max(...reports.map((r) => pick(r.harness)));
  return {
    workers: reports.reduce((n, r) => n + r.harness.workers, 0),
    rssPeakMiB: max((h) => h.rssPeakMiB),
    cpuPercent: max((h) => h.cpuPercent),
    cpuUsPerRequest: requests > 0 ? Math.round((cpuUs / requests) * 100) / 100 : 0,
    eventLoopDelayP99Ms: max((h) => h.eventLoopDelayP99Ms),
    saturated: reports.some((r) => r.harness.saturated),
  };
}

/**
 * The SUT as seen by the shards. When every shard sampled the same process (one proxy, shards on
 * its machine), the block with the most samples is kept and its CPU per 1000 requests is re-based
 * on all shards' requests, which that process served. When shards each ran their own proxy, the
 * SUT with the highest RSS peak is kept (the worst one), as a sum of peaks would describe no process.
 */
export function mergeSut(reports: readonly Report[]): SutResources | null {
  const observed = reports.flatMap((r) => (r.sut ? [{ sut: r.sut, requests: r.totals.requests }] : []));
  const first = observed[0];
  if (!first) return null;
  const sameProcess = observed.every((o) => o.sut.pid === first.sut.pid && o.sut.source === first.sut.source);
  if (!sameProcess) {
    return observed.reduce((worst, o) => (o.sut.rssPeakMiB > worst.sut.rssPeakMiB ? o : worst)).sut;
  }
  const best = observed.reduce((most, o) => (o.sut.samples.length > most.sut.samples.length ? o : most));
  const allRequests = reports.reduce((n, r) => n + r.totals.requests, 0);
  const cpuMs = (best.sut.cpuMsPer1kRequests * best.requests) / 1000;
  return { ...best.sut, cpuMsPer1kRequests: allRequests > 0 ? Math.round((cpuMs / allRequests) * 1000 * 1000) / 1000 : 0 };
}

/**
 * Merges the direct baselines when every shard ran one. Its measured time is not in the report, so
 * it is read back from the longest shard's requests / rps (shards ran it side by side).
 */
export function mergeDirectBaseline(reports: readonly Report[], byKind: Readonly<Record<string, Stats>>): Report['directBaseline'] {
  const baselines = reports.map((r) => r.directBaseline);
  if (baselines.some((b) => b === undefined)) return undefined;
  const records = baselines.flatMap((b) => (b ? [b.byKind] : []));
  const measuredMs = Math.max(
    ...records.flatMap((record) => Object.values(record).map((s) => (s.rps > 0 ? (s.requests / s.rps) * 1000 : 0))),
  );
  const direct = mergeStatsRecords(records, measuredMs) as Record<string, Stats>;
  const overheadByKind: Record<string, ProxyOverhead> = {};
  for (const [kind, directStats] of Object.entries(direct)) {
    const proxied = byKind[kind];
    if (proxied) overheadByKind[kind] = proxyOverhead(proxied, directStats);
  }
  return { byKind: direct, overheadByKind };
}
