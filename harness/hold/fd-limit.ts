import { readdirSync, readFileSync } from 'node:fs';

/**
 * The harness's own limits when it holds many connections (issue #5). Node raises its soft
 * RLIMIT_NOFILE to the hard limit when it starts (src/node.cc, PlatformInit), and every child it
 * forks (the mock origins, the embedded proxies) inherits the raised value. So the soft limit read
 * here is already as high as an unprivileged process can go: re-running under
 * `prlimit --nofile=<hard>:<hard>` would change nothing. What is left is to say so up front, to open
 * no more than the limit leaves room for, and to say how to lift it — never to blame the proxy.
 */

/** This process's open-files limits, as /proc/self/limits shows them. */
export interface OpenFilesLimit {
  readonly soft: number;
  readonly hard: number;
}

/** The open-files limit of this process; undefined off Linux or when unlimited. */
export function openFilesLimit(readLimits: () => string = () => readFileSync('/proc/self/limits', 'utf8')): OpenFilesLimit | undefined {
  let text: string;
  try {
    text = readLimits();
  } catch {
    return undefined;
  }
  const match = /^Max open files\s+(\d+)\s+(\d+)/m.exec(text);
  return match ? { soft: Number(match[1]), hard: Number(match[2]) } : undefined;
}

/**
 * How many more sockets this process may open and still keep `reserveFds` for itself, or undefined
 * when that cannot be known (no /proc). A hold run opens no more than this: a process with no fd
 * left cannot even read /proc/self/stat (process.memoryUsage throws EMFILE) or write its report, so
 * the connections past the budget are reported as `harness_limit` without being attempted.
 */
export function fdBudget(limit: OpenFilesLimit | undefined, reserveFds: number, countOpen: () => number = () => readdirSync('/proc/self/fd').length): number | undefined {
  if (!limit) return undefined;
  let open: number;
  try {
    open = countOpen();
  } catch {
    return undefined;
  }
  return Math.max(0, limit.soft - open - reserveFds);
}

/**
 * The warning to give before holding `connections` when the open-files limit leaves too little
 * room, or undefined. The harness needs one fd per connection; an embedded proxy (a child, with the
 * same inherited limit) needs two per tunnel, client side and origin side.
 */
export function fdLimitWarning(connections: number, limit: OpenFilesLimit | undefined, reserveFds: number, embeddedProxy: boolean): string | undefined {
  if (!limit) return undefined;
  const harnessFds = connections + reserveFds;
  const proxyFds = embeddedProxy ? 2 * connections + reserveFds : 0;
  const neededFds = Math.max(harnessFds, proxyFds);
  if (neededFds <= limit.soft) return undefined;
  const who = harnessFds > limit.soft ? `the harness needs about ${harnessFds}` : `the embedded proxy needs about ${proxyFds} (two per tunnel)`;
  return `The open-files limit is ${limit.soft} (ulimit -n) but to hold ${connections} connections ${who}: connections past the limit ` +
    `will fail (as harness_limit on the harness's side). ${raiseFdLimitHint(neededFds, limit)}`;
}

/** How to lift the open-files limit for a run that needs `neededFds`. */
function raiseFdLimitHint(neededFds: number, limit: OpenFilesLimit | undefined): string {
  // Node already lifted the soft limit to the hard one: only a higher hard limit helps, which
  // takes root (or the container's or service's settings).
  const current = !limit ? '' : limit.soft === limit.hard ? ` (now ${limit.soft}, the hard limit)` : ` (now ${limit.soft}, hard ${limit.hard})`;
  return `Raise the open-files limit${current}: \`ulimit -n ${neededFds}\` as root in the shell that starts proxybench, ` +
    `\`docker run --ulimit nofile=${neededFds}:${neededFds}\`, or LimitNOFILE=${neededFds} for a service; or hold fewer with --connections.`;
}

/**
 * The hint for a `harness_limit` failure, chosen by the error code at the head of its detail
 * (classify-error.ts writes `EMFILE opening a connection to …`).
 */
export function harnessLimitHint(detail: string, neededFds: number, limit: OpenFilesLimit | undefined): string {
  const code = /^E[A-Z]+/.exec(detail)?.[0];
  switch (code) {
    case 'ENFILE':
      return 'The whole system ran out of open files (ENFILE): raise fs.file-max (`sysctl -w fs.file-max=…`) or hold fewer with --connections.';
    case 'EADDRNOTAVAIL':
      return 'No local port was free for another connection (EADDRNOTAVAIL): widen net.ipv4.ip_local_port_range, let TIME_WAIT connections drain, or hold fewer with --connections.';
    case 'ENOBUFS':
      return 'The kernel ran out of socket buffers (ENOBUFS): hold fewer with --connections or free memory.';
    default:
      return `The harness ran out of file descriptors (${code ?? 'EMFILE'}). ${raiseFdLimitHint(neededFds, limit)}`;
  }
}
