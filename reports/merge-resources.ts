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

type ClosedLoad = Extract<LoadSummary, { model: 'closed' }>;
type OpenLoad = Extract<LoadSummary, { model: 'open' }>;

function sumOf(values: readonly number[]): number {
  return values.reduce((n, v) => n + v, 0);
}

/** The sum of a figure every load has, or undefined when any lacks it (a bound only some had is no bound). */
function sumIfAll(values: readonly (number | undefined)[]): number | undefined {
  return values.every((v): v is number => v !== undefined) && values.length > 0 ? sumOf(values) : undefined;
}

function byModel(loads: readonly LoadSummary[]): { closed: ClosedLoad[] } | { open: OpenLoad[] } {
  const closed = loads.filter((l): l is ClosedLoad => l.model === 'closed');
  if (closed.length === loads.length) return { closed };
  const open = loads.filter((l): l is OpenLoad => l.model === 'open');
  if (open.length !== loads.length) throw new ReportError('cannot merge runs with different load models (open and closed)');
  return { open };
}

/**
 * Load of the shards of one run, side by side. Each shard reports its share of the load; when every
 * shard is merged, the merged load is the whole run's (`shareOf`, which every shard carries alike,
 * exact where a sum of shares would carry rounding). With shards missing, or from reports written
 * before `shareOf` existed, the shares add, and `shareOf` stays to say what they are a share of.
 * `achievedRps` is the merged total rate.
 */
export function mergeShardLoads(loads: readonly LoadSummary[], achievedRps: number, allShards: boolean): LoadSummary {
  const models = byModel(loads);
  const requests = sumIfAll(loads.map((l) => l.requests));
  if ('closed' in models) {
    const shareOf = models.closed[0]?.shareOf;
    if (allShards && shareOf) {
      return { model: 'closed', concurrency: shareOf.concurrency, achievedRps, ...(shareOf.requests !== undefined ? { requests: shareOf.requests } : {}) };
    }
    const concurrency = sumOf(models.closed.map((l) => l.concurrency));
    return { model: 'closed', concurrency, achievedRps, ...(requests !== undefined ? { requests } : {}), ...(shareOf && !allShards ? { shareOf } : {}) };
  }
  const open = models.open;
  const shareOf = open[0]?.shareOf;
  const scheduleKept = open.every((l) => l.scheduleKept);
  if (allShards && shareOf) {
    return {
      model: 'open',
      offeredRps: shareOf.offeredRps ?? roundRate(sumOf(open.map((l) => l.offeredRps))),
      achievedRps,
      maxInFlight: shareOf.maxInFlight,
      scheduleKept,
      ...(shareOf.requests !== undefined ? { requests: shareOf.requests } : {}),
    };
  }
  return {
    model: 'open',
    offeredRps: roundRate(sumOf(open.map((l) => l.offeredRps))),
    achievedRps,
    maxInFlight: sumOf(open.map((l) => l.maxInFlight)),
    scheduleKept,
    ...(requests !== undefined ? { requests } : {}),
    ...(shareOf && !allShards ? { shareOf } : {}),
  };
}

/**
 * Load of whole runs back to back (`merge --sequential`): the offered rate is the mean over the
 * summed measured time; concurrency and the in-flight limit are the highest any run had; the
 * `--requests` bounds add. `achievedRps` is the merged total rate.
 */
export function mergeSequentialLoads(reports: readonly Report[], achievedRps: number): LoadSummary {
  const models = byModel(reports.map((r) => r.load));
  const requests = sumIfAll(reports.map((r) => r.load.requests));
  const bound = requests !== undefined ? { requests } : {};
  if ('closed' in models) {
    return { model: 'closed', concurrency: Math.max(...models.closed.map((l) => l.concurrency)), achievedRps, ...bound };
  }
  const totalMs = sumOf(reports.map((r) => r.durationMs));
  const offeredTimesMs = sumOf(models.open.map((l, i) => l.offeredRps * (reports[i]?.durationMs ?? 0)));
  return {
    model: 'open',
    offeredRps: totalMs > 0 ? roundRate(offeredTimesMs / totalMs) : 0,
    achievedRps,
    maxInFlight: Math.max(...models.open.map((l) => l.maxInFlight)),
    scheduleKept: models.open.every((l) => l.scheduleKept),
    ...bound,
  };
}

function roundRate(rps: number): number {
  return Math.round(rps * 100) / 100;
}

/**
 * Harness resources of all shards: workers add (side by side) or are the most any run had (back to
 * back, `sequential`), CPU per request is exact (total CPU over total requests), and the rest is the
 * busiest report's, because each shard is its own process (often on its own machine) and the
 * question these figures answer is "was any generator the bottleneck?".
 */
export function mergeHarness(reports: readonly Report[], sequential = false): HarnessResources {
  const requests = reports.reduce((n, r) => n + r.totals.requests, 0);
  const cpuUs = reports.reduce((n, r) => n + r.harness.cpuUsPerRequest * r.totals.requests, 0);
  const max = (pick: (h: HarnessResources) => number): number => Math.max(...reports.map((r) => pick(r.harness)));
  return {
    workers: sequential ? max((h) => h.workers) : reports.reduce((n, r) => n + r.harness.workers, 0),
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
 * The SUT over runs back to back (`merge --sequential`): the run whose proxy peaked highest in RSS
 * is kept (the worst), with its CPU per 1000 requests replaced by the mean over every run's requests.
 */
export function mergeSequentialSut(reports: readonly Report[]): SutResources | null {
  const observed = reports.flatMap((r) => (r.sut ? [{ sut: r.sut, requests: r.totals.requests }] : []));
  const first = observed[0];
  if (!first) return null;
  const worst = observed.reduce((top, o) => (o.sut.rssPeakMiB > top.sut.rssPeakMiB ? o : top));
  const requests = sumOf(observed.map((o) => o.requests));
  const cpuMs = sumOf(observed.map((o) => (o.sut.cpuMsPer1kRequests * o.requests) / 1000));
  return { ...worst.sut, cpuMsPer1kRequests: requests > 0 ? Math.round((cpuMs / requests) * 1000 * 1000) / 1000 : 0 };
}

/**
 * Merges the direct baselines when every report has one. Its measured time is not in the report,
 * so each report's is read back from its requests / rps; shards ran theirs side by side (the
 * longest counts), runs added back to back (`sequential`) one after another (they add).
 */
export function mergeDirectBaseline(reports: readonly Report[], byKind: Readonly<Record<string, Stats>>, sequential = false): Report['directBaseline'] {
  const baselines = reports.map((r) => r.directBaseline);
  if (baselines.some((b) => b === undefined)) return undefined;
  const records = baselines.flatMap((b) => (b ? [b.byKind] : []));
  const eachMs = records.map((record) => Math.max(0, ...Object.values(record).map((s) => (s.rps > 0 ? (s.requests / s.rps) * 1000 : 0))));
  const measuredMs = sequential ? sumOf(eachMs) : Math.max(...eachMs);
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
