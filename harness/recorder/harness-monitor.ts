import { readFile } from 'node:fs/promises';

/** What the harness process used over the measured phase. */
export interface HarnessUsage {
  readonly rssPeakMiB: number;
  /** Harness CPU over the measured phase, percent of one core. */
  readonly cpuPercent: number;
  /** Harness CPU time over the measured phase, µs. */
  readonly cpuUs: number;
  /** Whole-machine CPU busy share over the measured phase, 0..1 (undefined off Linux). */
  readonly machineBusy?: number;
}

const SAMPLE_INTERVAL_MS = 250;
const MIB = 1024 * 1024;

/**
 * Watches the harness's own process (docs/measurement.md §10): RSS peak (all worker threads share the
 * process), CPU over the measured phase, and how busy the whole machine was — on a 2-core machine
 * the harness and the proxy compete for the same cores, and the report must say so.
 */
export class HarnessMonitor {
  private rssPeak = process.memoryUsage.rss();
  private timer: NodeJS.Timeout | undefined;
  private cpuStart: NodeJS.CpuUsage | undefined;
  private wallStart = 0;
  private machineStart: MachineTicks | undefined;
  private result: HarnessUsage | undefined;

  /** Starts RSS sampling. */
  start(): void {
    this.timer = setInterval(() => {
      this.rssPeak = Math.max(this.rssPeak, process.memoryUsage.rss());
    }, SAMPLE_INTERVAL_MS);
    this.timer.unref();
  }

  /** Marks the start of the measured phase. */
  async markMeasureStart(): Promise<void> {
    this.cpuStart = process.cpuUsage();
    this.wallStart = performance.now();
    this.machineStart = await readMachineTicks();
  }

  /** Marks the end of the measured phase and freezes the figures. */
  async markMeasureEnd(): Promise<HarnessUsage> {
    const cpu = process.cpuUsage(this.cpuStart);
    const wallMs = Math.max(1, performance.now() - this.wallStart);
    const cpuUs = this.cpuStart ? cpu.user + cpu.system : 0;
    const machineEnd = await readMachineTicks();
    const machineBusy = this.machineStart && machineEnd ? busyShare(this.machineStart, machineEnd) : undefined;
    this.rssPeak = Math.max(this.rssPeak, process.memoryUsage.rss());
    this.result = {
      rssPeakMiB: round(this.rssPeak / MIB, 1),
      cpuPercent: round((cpuUs / 1000 / wallMs) * 100, 1),
      cpuUs,
      ...(machineBusy !== undefined ? { machineBusy: round(machineBusy, 3) } : {}),
    };
    return this.result;
  }

  /** Stops sampling; returns the frozen figures (or figures up to now). */
  async stop(): Promise<HarnessUsage> {
    if (this.timer) clearInterval(this.timer);
    return this.result ?? (await this.markMeasureEnd());
  }
}

interface MachineTicks {
  readonly busy: number;
  readonly total: number;
}

/** The first line of /proc/stat: jiffies per CPU state over all cores. */
async function readMachineTicks(): Promise<MachineTicks | undefined> {
  if (process.platform !== 'linux') return undefined;
  try {
    const line = (await readFile('/proc/stat', 'utf8')).split('\n', 1)[0] ?? '';
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    const total = ticks.reduce((a, b) => a + b, 0);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

function busyShare(a: MachineTicks, b: MachineTicks): number {
  const total = b.total - a.total;
  return total > 0 ? (b.busy - a.busy) / total : 0;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
