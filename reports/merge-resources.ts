import { ReportError } from '../core/errors.js';
import type { ErrorCause } from '../core/error-cause.js';
import { addEncoded, createHistogram, encodeHistogram, summarize } from './histogram-codec.js';
import { mergeStatsRecords } from './merge-stats.js';
import { overheadByKind } from './proxy-overhead.js';
import { HELD_PHASES, type HarnessResources, type HeldConnections, type LatencySummary, type LoadSummary, type Report, type Stats, type SutResources } from './schema.js';

type HeldPhase = (typeof HELD_PHASES)[number];

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
  return { byKind: direct, overheadByKind: overheadByKind(byKind, direct) };
}


/**
 * The held connections of the shards of one hold run: counts and causes add, setup histograms add
 * exactly, the opening took the longest shard's time and every connection was held at least the
 * shortest shard's hold. The proxy's RSS per 1,000: when the shards sampled one proxy process, its
 * lowest baseline against its highest held sample (the moment most shards held theirs) over all
 * established connections; when each shard ran its own proxy, baselines and held samples add, as
 * the processes did.
 *
 * @throws ReportError when some reports hold connections and others do not
 */
export function mergeHeld(reports: readonly Report[]): HeldConnections | undefined {
  const blocks = reports.flatMap((r) => (r.held ? [r.held] : []));
  const first = blocks[0];
  if (!first) return undefined;
  if (blocks.length !== reports.length) throw new ReportError('cannot merge hold runs with reports that held no connections');
  const sum = (pick: (h: HeldConnections) => number): number => blocks.reduce((n, h) => n + pick(h), 0);
  const errors: Partial<Record<ErrorCause, number>> = {};
  for (const h of blocks) {
    for (const [cause, n] of Object.entries(h.errors) as [ErrorCause, number][]) errors[cause] = (errors[cause] ?? 0) + n;
  }
  const phaseHistograms: Partial<Record<HeldPhase, string>> = {};
  const phasesMs: Partial<Record<HeldPhase, LatencySummary>> = {};
  for (const phase of HELD_PHASES) {
    const histogram = createHistogram();
    for (const h of blocks) addEncoded(histogram, h.phaseHistograms[phase]);
    phaseHistograms[phase] = encodeHistogram(histogram);
    phasesMs[phase] = summarize(histogram);
    histogram.destroy();
  }
  const established = sum((h) => h.established);
  const rss = mergedHeldRss(reports, established);
  const trickles = blocks.flatMap((h) => (h.trickle ? [h.trickle] : []));
  const hint = blocks.find((h) => h.hint !== undefined)?.hint;
  return {
    target: sum((h) => h.target),
    protocol: first.protocol,
    origin: first.origin,
    established,
    failed: sum((h) => h.failed),
    closedEarly: sum((h) => h.closedEarly),
    errors,
    phasesMs: phasesMs as HeldConnections['phasesMs'],
    phaseHistograms: phaseHistograms as HeldConnections['phaseHistograms'],
    openingMs: Math.max(...blocks.map((h) => h.openingMs)),
    holdMs: Math.min(...blocks.map((h) => h.holdMs)),
    ...(trickles[0] ? { trickle: { intervalMs: trickles[0].intervalMs, ok: trickles.reduce((n, t) => n + t.ok, 0), failed: trickles.reduce((n, t) => n + t.failed, 0) } } : {}),
    ...rss,
    ...(hint !== undefined ? { hint } : {}),
  };
}

function mergedHeldRss(reports: readonly Report[], established: number): Pick<HeldConnections, 'sutRssBaselineMiB' | 'sutRssHeldMiB' | 'sutRssPerThousandMiB'> {
  const sampled = reports.flatMap((r) => (r.held && r.held.sutRssBaselineMiB !== null && r.held.sutRssHeldMiB !== null
    ? [{ pid: r.sut?.pid, baseline: r.held.sutRssBaselineMiB, held: r.held.sutRssHeldMiB }]
    : []));
  if (sampled.length !== reports.length || sampled.length === 0) return { sutRssBaselineMiB: null, sutRssHeldMiB: null, sutRssPerThousandMiB: null };
  const onePid = sampled[0]!.pid;
  const oneProcess = onePid !== undefined && sampled.every((s) => s.pid === onePid);
  const baseline = oneProcess ? Math.min(...sampled.map((s) => s.baseline)) : sampled.reduce((n, s) => n + s.baseline, 0);
  const held = oneProcess ? Math.max(...sampled.map((s) => s.held)) : sampled.reduce((n, s) => n + s.held, 0);
  const round = (value: number, digits: number): number => Number(value.toFixed(digits));
  return {
    sutRssBaselineMiB: round(baseline, 2),
    sutRssHeldMiB: round(held, 2),
    sutRssPerThousandMiB: established > 0 ? round(((held - baseline) / established) * 1000, 3) : null,
  };
}
