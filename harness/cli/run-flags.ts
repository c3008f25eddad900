import type { Argv } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { parseDurationMs, parseNonNegative, parsePositiveInt } from '../../core/units.js';
import { BACKOFF_DEFAULTS } from '../load/backoff.js';
import { parseStages } from '../../core/stages.js';
import { PROTOCOLS, type Protocol } from '../../core/scenario.js';
import { RUN_DEFAULTS } from '../config/run-config.js';
import type { RunOptions, SutOptions } from '../config/run-options.js';
import { SUT_DEFAULTS } from '../sut/sut-defaults.js';
import { DEFAULT_PROXY_PICK, isProxyPick, PROXY_PICKS, type ProxyPick } from '../../core/proxy-pick.js';

/** The raw flags of `proxybench run`, as yargs hands them over (strings where units are parsed by us). */
export interface RunFlags {
  scenario: string;
  proxy?: string[];
  'proxy-file'?: string;
  'proxy-pick'?: string;
  duration?: string;
  warmup?: string;
  requests?: string;
  concurrency?: string;
  rate?: string;
  stages?: string;
  'max-in-flight'?: string;
  workers?: string;
  timeout?: string;
  'connect-timeout'?: string;
  'handshake-timeout'?: string;
  'ttfb-timeout'?: string;
  'idle-timeout'?: string;
  'backoff-initial'?: string;
  'backoff-factor'?: string;
  'backoff-max'?: string;
  'backoff-jitter'?: string;
  'new-connection-per-request'?: boolean;
  seed?: string;
  sut?: string;
  'sut-cwd'?: string;
  'sut-env'?: string[];
  'sut-ready-timeout'?: string;
  'sut-pid'?: string;
  'sut-sample-interval'?: string;
  'direct-baseline'?: boolean;
  via?: string;
  connections?: string;
  hold?: string;
  trickle?: string;
  threshold?: string[];
  shard?: string;
  'start-at'?: string;
  targets?: string;
  target?: string[];
  'target-sha256'?: string[];
  'target-ca'?: string;
  'origin-host'?: string;
  advertise?: string;
  out: string;
  baseline?: string;
  md?: string;
  junit?: string;
  html?: string;
  quiet?: boolean;
}

const ms = (v: number): string => (v % 1000 === 0 ? `${v / 1000}s` : `${v}ms`);

/** Declares every flag of `proxybench run`; each description states its default. */
export function declareRunFlags<T>(y: Argv<T>): Argv<RunFlags> {
  const s = { type: 'string' as const, requiresArg: true };
  return y
    .positional('scenario', { type: 'string', describe: 'Built-in scenario name (see `proxybench scenarios`) or a .json/.js/.mjs scenario file (a .js/.mjs file is code: it runs with your rights, like any script you run)', demandOption: true })
    .option('proxy', { ...s, array: true, nargs: 1, alias: 'x', describe: "Proxy URL, curl style: http://[user:pass@]host:port, socks5://…, socks5h://… (repeat for HTTP + SOCKS5; several of one kind form a pool; '#weight=N' suffix for --proxy-pick weighted); 'env' reads curl's http_proxy/HTTPS_PROXY/ALL_PROXY/NO_PROXY. Default: the embedded reference proxies" })
    .option('proxy-file', { ...s, describe: 'File of proxy URLs, one a line (blank lines and # comments skipped), added to --proxy. Default: none' })
    .option('proxy-pick', { ...s, describe: `How each request picks a member of its kind's pool: ${PROXY_PICKS.join(', ')} (random is seeded by --seed). Default: ${DEFAULT_PROXY_PICK}` })
    .option('duration', { ...s, alias: 'd', describe: "Measured time after warm-up: 500ms, 10s, 2m (bare number = seconds). Default: the scenario's (10s)" })
    .option('warmup', { ...s, describe: "Warm-up before measuring, excluded from the figures. Default: the scenario's (2s)" })
    .option('requests', { ...s, alias: 'n', describe: 'Stop after this many measured requests (over all workers). Default: bounded by --duration only' })
    .option('concurrency', { ...s, alias: 'c', describe: "Closed model: requests in flight over all workers. Default: the scenario's (50)" })
    .option('rate', { ...s, alias: 'r', describe: 'Open model: requests per second over all workers; latency counts from each intended start. Default: closed model' })
    .option('stages', { ...s, describe: 'Ramp the rate or concurrency: duration:target,… e.g. 10s:100,30s:500,10s:0 (linear). Default: none' })
    .option('max-in-flight', { ...s, describe: `Open model: most requests in flight over all workers. Default: ${RUN_DEFAULTS.maxInFlight}` })
    .option('workers', { ...s, alias: 'w', describe: `Worker threads. Default: half the cores, at least 1 (here ${RUN_DEFAULTS.workers})` })
    .option('timeout', { ...s, describe: `Whole-request timeout. Default: ${ms(RUN_DEFAULTS.timeoutMs)}` })
    .option('connect-timeout', { ...s, describe: `TCP connect timeout (timeout_connect). Default: ${ms(RUN_DEFAULTS.connectTimeoutMs)}` })
    .option('handshake-timeout', { ...s, describe: `CONNECT/SOCKS5/TLS handshake timeout (timeout_handshake). Default: ${ms(RUN_DEFAULTS.handshakeTimeoutMs)}` })
    .option('ttfb-timeout', { ...s, describe: `Longest wait from the request written to its response headers (timeout_ttfb). Default: ${ms(RUN_DEFAULTS.ttfbTimeoutMs)}` })
    .option('idle-timeout', { ...s, describe: `Longest silence between the response headers and body chunks (timeout_idle). Default: ${ms(RUN_DEFAULTS.idleTimeoutMs)}` })
    .option('backoff-initial', { ...s, describe: `First wait after a failure; a slot waits min(max, initial·factor^(n-1)) after n failures in a row. Default: ${ms(BACKOFF_DEFAULTS.initialMs)}` })
    .option('backoff-factor', { ...s, describe: `Backoff growth factor. Default: ${BACKOFF_DEFAULTS.factor}` })
    .option('backoff-max', { ...s, describe: `Longest backoff. Default: ${ms(BACKOFF_DEFAULTS.maxMs)}` })
    .option('backoff-jitter', { ...s, describe: `Jitter fraction: each wait is base·(1 − jitter·random). Default: ${BACKOFF_DEFAULTS.jitter}` })
    .option('new-connection-per-request', { type: 'boolean', describe: 'Open a new connection (and tunnel) for every request. Default: keep-alive' })
    .option('seed', { ...s, describe: `Seed of the deterministic bodies, the request mix and the backoff jitter (each its own stream). Default: ${RUN_DEFAULTS.seed}` })
    .option('sut', { ...s, describe: 'Start the proxy under test with this command line (split without a shell) and sample it. Default: none' })
    .option('sut-cwd', { ...s, describe: 'Working directory of --sut. Default: the current one' })
    .option('sut-env', { ...s, array: true, nargs: 1, describe: 'K=V environment for --sut (repeatable). Default: inherited environment only' })
    .option('sut-ready-timeout', { ...s, describe: `How long --sut may take until its proxy port accepts connections. Default: ${ms(SUT_DEFAULTS.readyTimeoutMs)}` })
    .option('sut-pid', { ...s, describe: 'Sample an already running proxy (and its children) by PID. Default: none' })
    .option('sut-sample-interval', { ...s, describe: `Time between SUT samples. Default: ${ms(SUT_DEFAULTS.sampleIntervalMs)}` })
    .option('direct-baseline', { type: 'boolean', describe: 'Also run the same mix straight to the origin and report the proxy-added latency. Default: off' })
    .option('via', { ...s, describe: 'Scenarios that can go more than one way (websocket, websocket-many): connect, socks5 or http-forward. Default: the first the given proxies fit (connect with the embedded proxies)' })
    .option('connections', { ...s, describe: "Hold scenarios (many-connections): connections or tunnels to open and hold. Default: the scenario's (2000)" })
    .option('hold', { ...s, describe: "Hold scenarios: how long to hold the connections once open. Default: the scenario's (10s)" })
    .option('trickle', { ...s, describe: 'Hold scenarios: send a tiny GET on each held connection this often, e.g. 1s. Default: idle' })
    .option('threshold', { ...s, array: true, nargs: 1, alias: 't', describe: "Pass/fail gate, repeatable: 'successRate>=0.99', 'p95<100ms', 'sut.rssPeakMiB<64', 'get-1k.p99<20ms'; with --baseline also tolerances such as 'p99:+5%'. Default: the scenario's, if any" })
    .option('baseline', { ...s, describe: 'Compare with this earlier report at the end (exit 1 on regression). Default: none' })
    .option('shard', { ...s, describe: 'INDEX/COUNT: run 1/COUNT of the load as shard INDEX (merge the reports with `proxybench merge`). Default: 0/1' })
    .option('start-at', { ...s, describe: 'ISO time or epoch ms at which every shard starts the load. Default: now' })
    .option('targets', { ...s, describe: "Use standalone targets (`proxybench targets`) instead of starting the run's own: the JSON line it printed, or a file holding it. Default: the run starts its own" })
    .option('target', { ...s, array: true, nargs: 1, describe: "Drive your own upstream instead of the scenario's mix: an http:// or https:// URL, one GET kind each (repeatable); bodies verified by status and length. Default: the scenario's mix (or its targets)" })
    .option('target-sha256', { ...s, array: true, nargs: 1, describe: "SHA-256 (hex) the body of each --target must have, in --target order, '-' for none; then verified by digest too. Default: none (status and length only)" })
    .option('target-ca', { ...s, describe: 'PEM file of CA certificates trusted beside the system\'s for https:// targets. Default: the system CAs only' })
    .option('origin-host', { ...s, describe: "Address the run's own origins listen on, for a proxy in a container or on another host (0.0.0.0: every interface). Default: 127.0.0.1" })
    .option('advertise', { ...s, describe: 'Name or address the proxy under test must use to reach the run\'s own origins (e.g. host.docker.internal). Default: the address the origins listen on' })
    .option('out', { ...s, alias: 'o', default: 'proxybench-report.json', describe: 'Where to write the JSON report (atomically)' })
    .option('md', { ...s, describe: 'Also write a Markdown summary (for a PR comment or $GITHUB_STEP_SUMMARY). Default: none' })
    .option('junit', { ...s, describe: 'Also write JUnit XML (thresholds and compared metrics as test cases). Default: none' })
    .option('html', { ...s, describe: 'Also write the self-contained HTML report. Default: none' })
    .option('quiet', { type: 'boolean', alias: 'q', describe: 'Print nothing but errors (the report file is still written). Default: off' }) as unknown as Argv<RunFlags>;
}

function opt<T>(value: string | undefined, parse: (v: string) => T): T | undefined {
  return value === undefined ? undefined : parse(value);
}

/** Turns parsed flags into {@link RunOptions}; throws UsageError naming the flag. */
export function runOptionsFromFlags(f: RunFlags): RunOptions {
  const dur = (flag: string) => (v: string) => parseDurationMs(`--${flag}`, v);
  const int = (flag: string) => (v: string) => parsePositiveInt(`--${flag}`, v);
  const num = (flag: string) => (v: string) => parseNonNegative(`--${flag}`, v);
  refuseRepeatedFlags(f);
  if (f.sut !== undefined && f['sut-pid'] !== undefined) throw new UsageError('--sut-pid', 'cannot be combined with --sut: start the proxy or attach to it, not both');
  const sut: SutOptions | undefined = f.sut !== undefined
    ? {
        kind: 'spawn',
        command: f.sut,
        ...(f['sut-cwd'] ? { cwd: f['sut-cwd'] } : {}),
        ...(f['sut-env'] ? { env: parseEnv(f['sut-env']) } : {}),
        ...(f['sut-ready-timeout'] ? { readyTimeoutMs: parseDurationMs('--sut-ready-timeout', f['sut-ready-timeout']) } : {}),
      }
    : f['sut-pid'] !== undefined
      ? { kind: 'attach', pid: parsePositiveInt('--sut-pid', f['sut-pid']) }
      : undefined;
  const timeouts = {
    ...(f['connect-timeout'] ? { connectMs: dur('connect-timeout')(f['connect-timeout']) } : {}),
    ...(f['handshake-timeout'] ? { handshakeMs: dur('handshake-timeout')(f['handshake-timeout']) } : {}),
    ...(f['ttfb-timeout'] ? { ttfbMs: dur('ttfb-timeout')(f['ttfb-timeout']) } : {}),
    ...(f['idle-timeout'] ? { idleMs: dur('idle-timeout')(f['idle-timeout']) } : {}),
  };
  const backoff = {
    ...(f['backoff-initial'] ? { initialMs: dur('backoff-initial')(f['backoff-initial']) } : {}),
    ...(f['backoff-factor'] ? { factor: atLeastOne('--backoff-factor', f['backoff-factor']) } : {}),
    ...(f['backoff-max'] ? { maxMs: dur('backoff-max')(f['backoff-max']) } : {}),
    ...(f['backoff-jitter'] ? { jitter: num('backoff-jitter')(f['backoff-jitter']) } : {}),
  };
  const values = {
    scenario: f.scenario,
    ...(f.proxy ? { proxies: f.proxy } : {}),
    ...(f['proxy-file'] !== undefined ? { proxyFile: f['proxy-file'] } : {}),
    ...(f['proxy-pick'] !== undefined ? { proxyPick: parseProxyPick(f['proxy-pick']) } : {}),
    durationMs: opt(f.duration, dur('duration')),
    warmupMs: opt(f.warmup, dur('warmup')),
    requests: opt(f.requests, int('requests')),
    concurrency: opt(f.concurrency, int('concurrency')),
    rate: opt(f.rate, (v) => positiveNumber('--rate', v)),
    stages: opt(f.stages, (v) => parseStages('--stages', v)),
    maxInFlight: opt(f['max-in-flight'], int('max-in-flight')),
    workers: opt(f.workers, int('workers')),
    timeoutMs: opt(f.timeout, dur('timeout')),
    timeouts,
    backoff,
    ...(f['new-connection-per-request'] ? { connectionPolicy: 'new-per-request' as const } : {}),
    seed: opt(f.seed, int('seed')),
    ...(sut ? { sut } : {}),
    sutSampleIntervalMs: opt(f['sut-sample-interval'], dur('sut-sample-interval')),
    directBaseline: f['direct-baseline'] ?? false,
    via: opt(f.via, parseVia),
    connections: opt(f.connections, int('connections')),
    holdMs: opt(f.hold, dur('hold')),
    trickleIntervalMs: opt(f.trickle, dur('trickle')),
    // Gates and tolerances (`p99:+5%`, for --baseline) alike: the library tells them apart.
    ...(f.threshold ? { thresholds: f.threshold } : {}),
    ...(f.baseline !== undefined ? { baseline: f.baseline } : {}),
    out: f.out,
    views: { ...(f.md !== undefined ? { markdown: f.md } : {}), ...(f.junit !== undefined ? { junit: f.junit } : {}), ...(f.html !== undefined ? { html: f.html } : {}) },
    shard: opt(f.shard, parseShard),
    startAtMs: opt(f['start-at'], parseStartAt),
    targets: f.targets,
    userTargets: userTargetsFromFlags(f),
    targetCa: f['target-ca'],
    originHost: f['origin-host'],
    advertise: f.advertise,
  };
  // Drop keys left undefined so scenario defaults apply.
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as unknown as RunOptions;
}

/** Flags that take many values; every other flag given twice is a mistake, not a choice of the last. */
const REPEATABLE: ReadonlySet<string> = new Set(['proxy', 'sut-env', 'threshold', 'target', 'target-sha256']);

/** Refuses `-o a.json -o b.json` and the like: yargs hands a repeated flag over as an array. */
function refuseRepeatedFlags(f: RunFlags): void {
  for (const [name, value] of Object.entries(f)) {
    // yargs also lists each flag under its one-letter alias and its camelCase spelling: skip those.
    if (name.length === 1 || /[A-Z]/.test(name) || name === '_' || REPEATABLE.has(name)) continue;
    if (Array.isArray(value)) {
      throw new UsageError(`--${name}`, `was given ${value.length} times (${value.map(String).join(', ')}); give it once`);
    }
  }
}

/**
 * `--target` URLs paired, in order, with `--target-sha256` digests (`-`: none for that target).
 * The URLs and digests themselves are checked by the library, as for the typed API.
 */
function userTargetsFromFlags(f: RunFlags): RunOptions['userTargets'] {
  const urls = f.target ?? [];
  const digests = f['target-sha256'];
  if (digests === undefined) return urls.length > 0 ? urls : undefined;
  if (urls.length === 0) throw new UsageError('--target-sha256', 'gives the digest of a --target body; give --target URL too');
  if (digests.length !== urls.length) {
    throw new UsageError('--target-sha256', `give one per --target, in the same order ('-' for a target without one): got ${digests.length} for ${urls.length} target(s)`);
  }
  return urls.map((url, i) => (digests[i] === '-' ? url : { url, sha256: digests[i]! }));
}

/** The backoff factor: a number ≥ 1 (below 1 the waits would shrink after each failure). */
function atLeastOne(field: string, v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 1) throw new UsageError(field, `expects a number ≥ 1 (got '${v}')`);
  return n;
}

function positiveNumber(field: string, v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(field, `expects a number > 0 (got '${v}')`);
  return n;
}

function parseEnv(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError('--sut-env', `expects KEY=VALUE (got '${pair.slice(0, 40)}')`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

function parseVia(v: string): Protocol {
  const protocol = PROTOCOLS.find((p) => p === v);
  if (protocol === undefined) throw new UsageError('--via', `expects one of ${PROTOCOLS.join(', ')} (got '${v}')`);
  return protocol;
}

function parseProxyPick(v: string): ProxyPick {
  const pick = v.trim();
  if (!isProxyPick(pick)) throw new UsageError('--proxy-pick', `expects one of ${PROXY_PICKS.join(', ')} (got '${v}')`);
  return pick;
}

function parseShard(v: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(v.trim());
  if (!m) throw new UsageError('--shard', `expects INDEX/COUNT such as 0/4 (got '${v}')`);
  return { index: Number(m[1]), count: Number(m[2]) };
}

function parseStartAt(v: string): number {
  const n = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(n)) throw new UsageError('--start-at', `expects an ISO time or epoch milliseconds (got '${v}')`);
  return n;
}
