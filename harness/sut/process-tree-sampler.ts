import { readdirSync, readFileSync } from 'node:fs';

/**
 * One reading of a process tree's resources from Linux /proc.
 *
 * Why /proc and not a library such as pidusage: pidusage reports neither open file descriptors nor
 * threads, covers one pid rather than a tree (squid's helpers, dante's process pool), and on some
 * platforms runs `ps` per sample — a subprocess every 250 ms on a 2-core machine would take CPU from
 * the very proxy being measured. Reading a few small /proc files costs a fraction of a millisecond.
 */
export interface ProcessTreeSample {
  /** Wall-clock time of the reading, ms since the epoch. */
  readonly wallMs: number;
  /** Sum of the resident set sizes of the tree's processes, bytes (shared pages count once per process). */
  readonly rssBytes: number;
  /**
   * CPU time of the tree, ms, user + system: the live processes' own time plus what they have
   * reaped from exited children (cutime/cstime), so the total does not drop when a worker exits.
   */
  readonly cpuTimeMs: number;
  /** Open file descriptors of the tree (0 for processes whose fd table may not be read). */
  readonly fds: number;
  /** Threads of the tree. */
  readonly threads: number;
  /** Processes in the tree, the root included. */
  readonly processes: number;
}

/**
 * USER_HZ: /proc reports CPU times in these ticks. Linux fixes it at 100 for user space on every
 * architecture (the kernel's own HZ may differ), and Node cannot call sysconf(_SC_CLK_TCK).
 */
const TICKS_PER_SECOND = 100;
/** Bounds the walk, so a fork bomb under test cannot make one sample unbounded. */
const MAX_PROCESSES = 4096;

interface ProcStat {
  readonly state: string;
  readonly cpuTicks: number;
}

interface ProcessReading {
  /** Exited but not yet reaped: its CPU times still count, it holds no memory or fds. */
  readonly zombie: boolean;
  readonly rssBytes: number;
  readonly cpuTimeMs: number;
  readonly fds: number;
  readonly threads: number;
}

let notedUnsupported = false;

/** Parses /proc/<pid>/stat; the command name (field 2) may hold spaces and parentheses. */
function parseStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  // Fields after the name, numbered from 3 (state) as in proc(5).
  const fields = text.slice(close + 2).split(' ');
  const field = (n: number): number => Number(fields[n - 3]);
  // utime (14), stime (15), cutime (16), cstime (17).
  const cpuTicks = field(14) + field(15) + field(16) + field(17);
  return { state: fields[0] ?? '?', cpuTicks };
}

/** Reads `Name:  value` lines of /proc/<pid>/status into numbers. */
function statusNumber(status: string, key: string): number {
  const match = new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status);
  return match ? Number(match[1]) : 0;
}

function countFds(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    // EACCES for another user's process when not root; ENOENT when it just exited.
    return 0;
  }
}

/** Reads one process; undefined when it is gone. */
function readProcess(pid: number): ProcessReading | undefined {
  let statText: string;
  let status: string;
  try {
    statText = readFileSync(`/proc/${pid}/stat`, 'utf8');
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const stat = parseStat(statText);
  if (!stat) return undefined;
  const cpuTimeMs = (stat.cpuTicks * 1000) / TICKS_PER_SECOND;
  if (stat.state === 'Z' || stat.state === 'X') return { zombie: true, rssBytes: 0, cpuTimeMs, fds: 0, threads: 0 };
  return {
    zombie: false,
    // VmRSS is in kB (KiB); a kernel thread has none.
    rssBytes: statusNumber(status, 'VmRSS') * 1024,
    cpuTimeMs,
    fds: countFds(pid),
    threads: statusNumber(status, 'Threads'),
  };
}

/** Direct children of `pid`, from every thread's `children` file (a child belongs to the thread that forked it). */
function childrenOf(pid: number): number[] {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  return tids.flatMap((tid) => {
    let list = '';
    try {
      list = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8');
    } catch {
      // the thread (or the process) ended meanwhile
    }
    return list.split(' ').filter((s) => s !== '').map(Number);
  });
}

/** The root and all its descendants, breadth first; the root first. */
function treePids(rootPid: number): number[] {
  const seen = new Set<number>([rootPid]);
  let frontier = [rootPid];
  while (frontier.length > 0 && seen.size < MAX_PROCESSES) {
    const next: number[] = [];
    for (const children of frontier.map(childrenOf)) {
      for (const child of children) {
        if (!seen.has(child) && seen.size < MAX_PROCESSES) {
          seen.add(child);
          next.push(child);
        }
      }
    }
    frontier = next;
  }
  return [...seen];
}

/**
 * Samples `rootPid` and all its descendants from /proc. Resolves `undefined` when the root is gone
 * (or a zombie). On platforms without /proc it resolves `undefined` too, with a one-time warning,
 * so a run on macOS goes on without SUT resources instead of failing.
 */
export async function sampleProcessTree(rootPid: number): Promise<ProcessTreeSample | undefined> {
  if (process.platform !== 'linux') {
    if (!notedUnsupported) {
      notedUnsupported = true;
      process.emitWarning(`SUT resource sampling reads /proc and is not available on ${process.platform}; the report will have no SUT resources`, { code: 'PB_SUT_SAMPLING_UNSUPPORTED' });
    }
    return undefined;
  }
  // Synchronous reads on purpose: /proc files are generated in memory and never block on a disk,
  // and fs/promises' thread-pool round trips made a sample ~7× as costly (1.8 vs 0.25 ms of CPU
  // for one node process, measured).
  const wallMs = Date.now();
  const root = readProcess(rootPid);
  // A zombie root has exited: nothing is left to measure, and its pid may soon be reused.
  if (!root || root.zombie) return undefined;
  const others = treePids(rootPid).slice(1);
  const readings = [root, ...others.map(readProcess)].filter(
    (r): r is ProcessReading => r !== undefined,
  );
  return {
    wallMs,
    rssBytes: readings.reduce((sum, r) => sum + r.rssBytes, 0),
    cpuTimeMs: readings.reduce((sum, r) => sum + r.cpuTimeMs, 0),
    fds: readings.reduce((sum, r) => sum + r.fds, 0),
    threads: readings.reduce((sum, r) => sum + r.threads, 0),
    processes: readings.filter((r) => !r.zombie).length,
  };
}
