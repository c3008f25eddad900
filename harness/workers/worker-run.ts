import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { systemClock, type Clock } from '../../core/clock.js';
import { backoffRandom } from '../load/backoff.js';
import { runClosedLoop, runOpenLoop, type ExecutorHooks, type FireResult } from '../load/executor.js';
import { constantPacer, stagedPacer } from '../load/pacer.js';
import { Recorder } from '../recorder/recorder.js';
import type { BatchMessage, WorkerHealth, WorkerMessage } from '../recorder/batch.js';
import { WeightedChoice } from './weighted-choice.js';
import type { KindRoute, WorkerPlan } from './worker-plan.js';
import { createMemberPicker, type MemberPicker } from '../../core/proxy-pick.js';
import { workerFaultHook } from './fault-injection.js';
import { createExchanger, createTransport, type Exchanger, type Transport } from '../transports/index.js';
import type { RttSink } from '../../core/exchange.js';

/** Warm-up exchanges' round trips are in no figure. */
const ignoreRtt: RttSink = () => undefined;

/** Sampling interval of the event-loop delay monitor, ms. */
const EVENT_LOOP_SAMPLE_MS = 10;

/**
 * Event-loop delay in ms from a monitorEventLoopDelay value (ns). Node records the whole time
 * between two samples, the interval included: an idle loop reads ~10.2 ms at a 10 ms resolution,
 * so the delay is what lies beyond the interval.
 */
function loopDelayMs(sampleNs: number): number {
  return Math.max(0, sampleNs / 1e6 - EVENT_LOOP_SAMPLE_MS);
}

/** Wall-clock ms with sub-ms resolution, comparable across threads. */
function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * One worker's run: drives its share of the load through the transports, records measured
 * requests, and posts batches (on a 100 ms timer, after N samples, and whenever the wall-clock
 * second changes, so each batch belongs to exactly one second of the series).
 */
export class WorkerRun {
  private readonly recorder: Recorder;
  private readonly choice: WeightedChoice;
  /** Backoff jitter's own stream: failures must not shift the request mix (see backoffRandom). */
  private readonly backoffJitter: () => number;
  private readonly transports: Transport[];
  private readonly exchangers: Exchanger[];
  /** Per kind and route: records a measured exchange's message round trips into its `rtt` histograms. */
  private readonly rttSinks: RttSink[][];
  /** One per pool of the plan: which member the next request of that pool's kind goes through. */
  private readonly pickers: MemberPicker[];
  private readonly stop = new AbortController();
  private readonly clock: Clock = systemClock;
  private inFlight = 0;
  private backoffDrops = 0;
  private measuredStarted = 0;
  private warmupRequests = 0;
  private currentSecond = 0;
  private lastPostedSecond = 0;
  private lastFailedKind = 0;
  private lastFailedProxy: number | undefined;
  private pendingKind = -1;
  private pendingRoute: KindRoute | undefined;
  private measureStartMs = Infinity;
  private stoppedStartingAtMs: number | undefined;
  /** Tests only: see fault-injection.ts. */
  private readonly afterRequest: (() => void) | undefined;

  constructor(
    private readonly plan: WorkerPlan,
    private readonly post: (message: WorkerMessage) => void,
  ) {
    this.recorder = new Recorder(plan.kinds.length, plan.load.model === 'closed', plan.proxyCount);
    this.choice = new WeightedChoice(plan.kinds.map((k) => k.weight), plan.seed);
    this.backoffJitter = backoffRandom(plan.seed);
    this.transports = plan.transports.map((options) => createTransport(options));
    this.exchangers = plan.exchangers.map((options) => createExchanger(options));
    this.rttSinks = plan.kinds.map((kind, kindIndex) => kind.routes.map((route) => (rttUs: number) => this.recorder.recordRtt(kindIndex, rttUs, route.proxyIndex)));
    // Each pool its own stream of the worker's seed, apart from the mix's and the backoff's.
    this.pickers = plan.pools.map((pool, i) => createMemberPicker(plan.proxyPick, pool.weights, (plan.seed + (i + 1) * 0x9e37_79b9) >>> 0));
    this.afterRequest = workerFaultHook(plan.workerIndex);
  }

  /** Asks the worker to stop starting requests (Ctrl-C); in-flight requests finish. */
  requestStop(): void {
    this.stop.abort();
  }

  /** Runs from `startAtWallMs` until the plan's bounds; resolves once everything is flushed. */
  async run(startAtWallMs: number): Promise<void> {
    const startMs = this.clock.now() + (startAtWallMs - wallNow()) + this.plan.startOffsetMs;
    this.measureStartMs = startMs + this.plan.warmupMs;
    const endAtMs = this.measureStartMs + this.plan.durationMs;
    this.stop.signal.addEventListener('abort', () => (this.stoppedStartingAtMs = this.clock.now()), { once: true });
    const delay = monitorEventLoopDelay({ resolution: EVENT_LOOP_SAMPLE_MS });
    let eluStart = performance.eventLoopUtilization();
    const measureTimer = setTimeout(() => {
      delay.enable();
      eluStart = performance.eventLoopUtilization();
    }, Math.max(0, this.measureStartMs - this.clock.now()));
    this.currentSecond = Math.floor(wallNow() / 1000);
    const flushTimer = setInterval(() => this.tick(), this.plan.batchIntervalMs);
    let measuredEndWallMs = 0;
    let slotWaits = 0;
    try {
      const hooks = this.hooks();
      const bounds = { endAtMs, signal: this.stop.signal };
      const common = { clock: this.clock, backoff: this.plan.backoff, random: this.backoffJitter, hooks, bounds, startMs };
      const load = this.plan.load;
      if (load.model === 'closed') {
        await runClosedLoop({ ...common, concurrency: load.concurrency, stages: load.stages });
      } else {
        const pacer = load.stages && load.stages.length > 0 ? stagedPacer(load.rate, load.stages) : constantPacer(load.rate);
        ({ slotWaits } = await runOpenLoop({ ...common, pacer, maxInFlight: load.maxInFlight }));
      }
      // The measured time ends when the worker stopped starting requests: at the planned end, or
      // earlier when stopped (Ctrl-C, or its share of --requests was started).
      const stoppedAtMs = Math.min(endAtMs, this.stoppedStartingAtMs ?? endAtMs);
      measuredEndWallMs = wallNow() - (this.clock.now() - stoppedAtMs);
    } finally {
      clearTimeout(measureTimer);
      clearInterval(flushTimer);
      delay.disable();
      this.flush();
      await Promise.all([...this.transports.map((t) => t.close()), ...this.exchangers.map((e) => e.close())]);
    }
    const health: WorkerHealth = {
      eventLoopDelayP99Ms: delay.count > 0 ? loopDelayMs(delay.percentile(99)) : 0,
      eventLoopDelayMaxMs: delay.count > 0 ? loopDelayMs(delay.max) : 0,
      eventLoopUtilization: performance.eventLoopUtilization(eluStart).utilization,
      slotWaits,
      backoffDrops: this.backoffDrops,
    };
    this.post({
      type: 'done',
      workerIndex: this.plan.workerIndex,
      health,
      measuredEndWallMs,
      warmupRequests: this.warmupRequests,
      interrupted: this.stop.signal.aborted && this.plan.maxRequests === undefined,
    });
  }

  private hooks(): ExecutorHooks {
    return {
      fire: (intendedStartMs) => this.fire(intendedStartMs),
      onBackoff: () => {
        if (this.clock.now() >= this.measureStartMs) this.recorder.countBackoff(this.lastFailedKind, this.lastFailedProxy);
      },
      onLate: (intendedStartMs) => {
        if (intendedStartMs < this.measureStartMs) return;
        // Attribute to the kind (and proxy) this late request will be, so counts per kind stay consistent.
        this.pendingKind = this.choice.next();
        this.pendingRoute = this.routeOf(this.pendingKind);
        this.recorder.countLate(this.pendingKind, this.pendingRoute.proxyIndex);
      },
      onDropped: (intendedStartMs, cause) => {
        if (intendedStartMs < this.measureStartMs) return;
        // A dropped request is owed by the proxy it would have gone through: the pick moves on as if it went.
        const kindIndex = this.choice.next();
        this.recorder.countDropped(kindIndex, this.routeOf(kindIndex).proxyIndex);
        if (cause === 'backoff') this.backoffDrops++;
      },
    };
  }

  /** The route of the next request of `kindIndex`: a member of its pool, picked by the plan's policy. */
  private routeOf(kindIndex: number): KindRoute {
    const kind = this.plan.kinds[kindIndex]!;
    return kind.pool === undefined ? kind.routes[0]! : kind.routes[this.pickers[kind.pool]!.next()]!;
  }

  private async fire(intendedStartMs: number): Promise<FireResult> {
    const kindIndex = this.pendingKind >= 0 ? this.pendingKind : this.choice.next();
    const route = this.pendingKind >= 0 && this.pendingRoute ? this.pendingRoute : this.routeOf(kindIndex);
    this.pendingKind = -1;
    this.pendingRoute = undefined;
    const kind = this.plan.kinds[kindIndex]!;
    const measured = intendedStartMs >= this.measureStartMs;
    if (measured && this.plan.maxRequests !== undefined && ++this.measuredStarted >= this.plan.maxRequests) {
      // The last measured request of this worker's share: nothing new starts after it.
      this.stop.abort();
    }
    this.inFlight++;
    const sentAtMs = this.clock.now();
    const outcome = kind.type === 'request'
      ? await this.transports[route.index]!.execute(kind.request)
      : await this.exchangers[route.index]!.execute(kind.exchange, measured ? this.rttSinks[kindIndex]![kind.routes.indexOf(route)]! : ignoreRtt);
    this.inFlight--;
    this.afterRequest?.();
    if (!outcome.ok) {
      this.lastFailedKind = kindIndex;
      this.lastFailedProxy = route.proxyIndex;
    }
    if (!measured) {
      // Warm-up requests are in no figure, not even the setup phases of the connections they open:
      // those would outnumber connections.opened, which counts what measured requests opened.
      this.warmupRequests++;
      return outcome;
    }
    this.rollSecond();
    // Coordinated omission: latency counts from when the request was due, not when it was sent.
    this.recorder.record(kindIndex, outcome, outcome.totalUs + (sentAtMs - intendedStartMs) * 1000, route.proxyIndex);
    if (this.recorder.pendingSamples >= this.plan.batchMaxSamples) this.flush();
    return outcome;
  }

  /** Cuts a batch when the wall-clock second changed since the pending samples were recorded. */
  private rollSecond(): void {
    const second = Math.floor(wallNow() / 1000);
    if (second !== this.currentSecond) {
      this.flush();
      this.currentSecond = second;
    }
  }

  /**
   * The batch timer: cuts what is pending, and posts an empty batch once per second when there was
   * nothing to send, so the main thread knows this worker has moved past earlier seconds.
   */
  private tick(): void {
    this.rollSecond();
    this.flush();
    if (this.lastPostedSecond < this.currentSecond && this.clock.now() >= this.measureStartMs) {
      this.post({ type: 'batch', workerIndex: this.plan.workerIndex, second: this.currentSecond, deltas: [], inFlight: this.inFlight });
      this.lastPostedSecond = this.currentSecond;
    }
  }

  private flush(): void {
    const { deltas, proxyDeltas } = this.recorder.drainBatch();
    if (deltas.length === 0) return;
    this.lastPostedSecond = this.currentSecond;
    const batch: BatchMessage = {
      type: 'batch',
      workerIndex: this.plan.workerIndex,
      second: this.currentSecond,
      deltas,
      ...(proxyDeltas.length > 0 ? { proxyDeltas } : {}),
      inFlight: this.inFlight,
    };
    this.post(batch);
  }
}
