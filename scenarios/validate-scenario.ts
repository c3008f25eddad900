import { UsageError } from '../core/errors.js';
import { parseDurationMs, parseSizeBytes } from '../core/units.js';
import { parseStages } from '../core/stages.js';
import { isStreamOperation, PROTOCOLS, type HoldSpec, type Protocol, type RequestMixEntry, type RequestOperation, type Scenario, type ScenarioDefaults, type StreamOperation } from '../core/scenario.js';
import { MAX_WEBSOCKET_MESSAGE_BYTES, UDP_SEQUENCE_BYTES } from '../core/origin-wire/stream-contract.js';
import { targetMix } from '../core/target-mix.js';
import { parseUserTarget, type UserTarget } from '../core/user-target.js';

/**
 * Validates a user's scenario (parsed JSON or an ESM module's default export) into a {@link Scenario}.
 * Durations may be written as `10s`, sizes as `64KiB`, stages as `10s:100,30s:500`. Every error names
 * the field (`scenario.mix[2].protocol`) and what it accepts.
 */
export function validateScenario(input: unknown, source: string): Scenario {
  const obj = asObject(input, `${source}`);
  const name = asString(obj.name, 'scenario.name');
  const description = obj.description === undefined ? `${name} (from ${source})` : asString(obj.description, 'scenario.description');
  if (obj.targets !== undefined) return targetsScenario(obj, name, description);
  if (!Array.isArray(obj.mix) || obj.mix.length === 0) {
    throw new UsageError('scenario.mix', 'expects a non-empty array of requests ({ name, weight, protocol, origin, operation })');
  }
  const mix = obj.mix.map((entry, i) => validateEntry(entry, `scenario.mix[${i}]`));
  const names = new Set<string>();
  for (const entry of mix) {
    if (names.has(entry.kind)) throw new UsageError('scenario.mix', `request kind '${entry.kind}' appears twice; kinds are the report's keys`);
    names.add(entry.kind);
  }
  const hold = obj.hold === undefined ? undefined : validateHold(obj.hold);
  return { name, description, mix, defaults: validateDefaults(obj.defaults ?? {}), ...(hold ? { hold } : {}) };
}

/**
 * A scenario of the user's own upstreams (`targets: [{ url, sha256? }]`): its mix is one GET kind
 * per target, routed by the proxies the run is given (harness/config/resolve-user-targets.ts); the
 * one written here assumes an http:// proxy. A mix or a hold beside targets is refused.
 */
function targetsScenario(obj: Record<string, unknown>, name: string, description: string): Scenario {
  if (obj.mix !== undefined) throw new UsageError('scenario.mix', 'a scenario with targets takes its mix from them (one GET per target); remove mix or targets');
  if (obj.hold !== undefined) throw new UsageError('scenario.hold', 'a scenario with targets runs a request loop; remove hold or targets');
  if (!Array.isArray(obj.targets) || obj.targets.length === 0) {
    throw new UsageError('scenario.targets', 'expects a non-empty array of targets ({ url, sha256? }), e.g. [{ "url": "http://127.0.0.1:8080/file" }]');
  }
  const targets: UserTarget[] = obj.targets.map((input, i) => {
    const field = `scenario.targets[${i}]`;
    const target = asObject(input, field);
    const unknown = Object.keys(target).find((key) => key !== 'url' && key !== 'sha256');
    if (unknown !== undefined) throw new UsageError(`${field}.${unknown}`, 'is not a target field; a target has url and, optionally, sha256');
    return parseUserTarget(`${field}.url`, target.url, target.sha256, `${field}.sha256`);
  });
  return { name, description, mix: targetMix(targets, 'http'), defaults: validateDefaults(obj.defaults ?? {}), targets };
}

/** `hold`: a many-connections scenario of the user's own (e.g. SOCKS5 tunnels instead of CONNECT). */
function validateHold(input: unknown): HoldSpec {
  const obj = asObject(input, 'scenario.hold');
  const connections = obj.connections;
  if (typeof connections !== 'number' || !Number.isInteger(connections) || connections < 1) {
    throw new UsageError('scenario.hold.connections', `expects a whole number ≥ 1 (got ${JSON.stringify(connections)})`);
  }
  const protocol = obj.protocol;
  if (protocol !== 'connect' && protocol !== 'socks5' && protocol !== 'http-forward') {
    throw new UsageError('scenario.hold.protocol', `expects 'connect', 'socks5' or 'http-forward' (got ${JSON.stringify(protocol)})`);
  }
  const origin = obj.origin ?? 'http';
  if (origin !== 'http' && origin !== 'https') throw new UsageError('scenario.hold.origin', `expects 'http' or 'https' (got ${JSON.stringify(origin)})`);
  const holdMs = parseDurationMs('scenario.hold.hold', durationInput(obj.hold ?? '10s', 'scenario.hold.hold'));
  const trickle = obj.trickle === undefined ? undefined : parseDurationMs('scenario.hold.trickle', durationInput(obj.trickle, 'scenario.hold.trickle'));
  const held = obj.held ?? 'connection';
  if (held !== 'connection' && held !== 'websocket') throw new UsageError('scenario.hold.held', `expects 'connection' or 'websocket' (got ${JSON.stringify(held)})`);
  return { connections, protocol, origin, ...(held === 'websocket' ? { held } : {}), holdMs, ...(trickle !== undefined ? { trickleIntervalMs: trickle } : {}) };
}

function validateEntry(input: unknown, field: string): RequestMixEntry {
  const obj = asObject(input, field);
  const protocol = obj.protocol;
  if (typeof protocol !== 'string' || !(PROTOCOLS as readonly string[]).includes(protocol)) {
    throw new UsageError(`${field}.protocol`, `expects one of ${PROTOCOLS.join(', ')} (got ${JSON.stringify(protocol)})`);
  }
  const operation = validateOperation(obj.operation, `${field}.operation`);
  const stream = isStreamOperation(operation);
  // Stream targets are plain unless a wss:// WebSocket is asked for; HTTP through CONNECT defaults to https.
  const origin = obj.origin ?? (protocol === 'connect' && !stream ? 'https' : 'http');
  if (origin !== 'http' && origin !== 'https') throw new UsageError(`${field}.origin`, `expects 'http' or 'https' (got ${JSON.stringify(origin)})`);
  if (protocol === 'http-forward' && origin === 'https') {
    throw new UsageError(`${field}.origin`, "an HTTPS origin cannot be reached with absolute-URI forwarding; use protocol 'connect' (a tunnel) for it");
  }
  if (stream) checkStreamRoute(operation, protocol as Protocol, origin, field);
  const weight = obj.weight ?? 1;
  if (typeof weight !== 'number' || !(weight > 0)) throw new UsageError(`${field}.weight`, `expects a number > 0 (got ${JSON.stringify(weight)})`);
  return {
    // `kind` names the entry; `name` is read too, as scenario files before 0.2 wrote it.
    kind: obj.kind !== undefined || obj.name === undefined ? kindName(obj.kind, `${field}.kind`) : kindName(obj.name, `${field}.name`),
    weight,
    protocol: protocol as Protocol,
    origin,
    operation,
  };
}

/** The protocols each stream operation can go through (docs/targets.md). */
const STREAM_PROTOCOLS: Readonly<Record<StreamOperation['op'], readonly Protocol[]>> = {
  'tcp-echo': ['connect', 'socks5', 'direct'],
  'tcp-bulk': ['connect', 'socks5', 'direct'],
  // Through an HTTP forward proxy: an absolute-form GET with Upgrade: websocket.
  websocket: ['connect', 'socks5', 'http-forward', 'direct'],
  // SOCKS5 UDP ASSOCIATE (RFC 1928 §7); HTTP proxies carry no UDP.
  'udp-echo': ['socks5', 'direct'],
};

function checkStreamRoute(operation: StreamOperation, protocol: Protocol, origin: 'http' | 'https', field: string): void {
  const protocols = STREAM_PROTOCOLS[operation.op];
  if (!protocols.includes(protocol)) {
    throw new UsageError(`${field}.protocol`, `operation '${operation.op}' goes through ${protocols.join(', ')} (got '${protocol}')`);
  }
  if (origin === 'https' && operation.op !== 'websocket') {
    throw new UsageError(`${field}.origin`, `the ${operation.op} target speaks no TLS; use origin 'http' (only a websocket operation has a wss:// target)`);
  }
}

function validateOperation(input: unknown, field: string): RequestOperation {
  const obj = asObject(input, field);
  const bytes = parseSizeBytes(`${field}.bytes`, sizeInput(obj.bytes ?? 0, `${field}.bytes`));
  switch (obj.op) {
    case 'download':
      return { op: 'download', bytes };
    case 'upload':
      return { op: 'upload', bytes };
    case 'delay': {
      const delayMs = parseDurationMs(`${field}.delay`, durationInput(obj.delay ?? 0, `${field}.delay`));
      // The origin reads whole milliseconds of jitter (origin-paths.ts).
      const jitterMs = obj.jitter === undefined ? 0 : Math.round(parseDurationMs(`${field}.jitter`, durationInput(obj.jitter, `${field}.jitter`)));
      return jitterMs > 0 ? { op: 'delay', bytes, delayMs, jitterMs } : { op: 'delay', bytes, delayMs };
    }
    case 'tcp-echo':
      return { op: 'tcp-echo', messageBytes: messageSize(obj, field, 1024), messages: wholeCount(obj.messages ?? 100, `${field}.messages`) };
    case 'tcp-bulk': {
      const direction = obj.direction ?? 'down';
      if (direction !== 'up' && direction !== 'down' && direction !== 'both') {
        throw new UsageError(`${field}.direction`, `expects 'up', 'down' or 'both' (got ${JSON.stringify(direction)})`);
      }
      if (bytes < 1) throw new UsageError(`${field}.bytes`, 'expects a size of at least 1 byte, such as 16MiB');
      return { op: 'tcp-bulk', bytes, direction };
    }
    case 'websocket': {
      const format = obj.format ?? 'binary';
      if (format !== 'text' && format !== 'binary') throw new UsageError(`${field}.format`, `expects 'text' or 'binary' (got ${JSON.stringify(format)})`);
      const messageBytes = messageSize(obj, field, 1024);
      if (messageBytes > MAX_WEBSOCKET_MESSAGE_BYTES) {
        throw new UsageError(`${field}.messageBytes`, `expects at most ${MAX_WEBSOCKET_MESSAGE_BYTES} bytes (the echo's message limit)`);
      }
      return { op: 'websocket', messageBytes, messages: wholeCount(obj.messages ?? 100, `${field}.messages`), format };
    }
    case 'udp-echo': {
      const datagramBytes = parseSizeBytes(`${field}.datagramBytes`, sizeInput(obj.datagramBytes ?? 64, `${field}.datagramBytes`));
      if (datagramBytes < UDP_SEQUENCE_BYTES || datagramBytes > MAX_UDP_DATAGRAM_BYTES) {
        throw new UsageError(`${field}.datagramBytes`, `expects ${UDP_SEQUENCE_BYTES} to ${MAX_UDP_DATAGRAM_BYTES} bytes (a sequence number, then payload, within one SOCKS5-wrapped datagram)`);
      }
      const ratePerSecond = obj.rate ?? 1000;
      if (typeof ratePerSecond !== 'number' || !(ratePerSecond > 0)) throw new UsageError(`${field}.rate`, `expects datagrams per second > 0 (got ${JSON.stringify(ratePerSecond)})`);
      const datagrams = wholeCount(obj.datagrams ?? 100, `${field}.datagrams`);
      if (datagrams > MAX_UDP_DATAGRAMS) throw new UsageError(`${field}.datagrams`, `expects at most ${MAX_UDP_DATAGRAMS} per association (each session keeps 9 bytes per datagram); use more sessions for more`);
      return { op: 'udp-echo', datagramBytes, datagrams, ratePerSecond };
    }
    default:
      throw new UsageError(`${field}.op`, `expects 'download', 'upload', 'delay', 'tcp-echo', 'tcp-bulk', 'websocket' or 'udp-echo' (got ${JSON.stringify(obj.op)})`);
  }
}

/**
 * Largest UDP probe: 65,507 bytes fit one IPv4 UDP datagram, less the SOCKS5 UDP request header
 * (at most 22 bytes for an IPv6 address, RFC 1928 §7).
 */
const MAX_UDP_DATAGRAM_BYTES = 65_507 - 22;
/**
 * Most datagrams per association: a session keeps each one's send time and whether it came back
 * (harness/transports/exchanges/udp-probe-tally.ts, 9 bytes each), so its memory stays under 1 MiB.
 */
const MAX_UDP_DATAGRAMS = 100_000;

/** A message operation's `messageBytes` (a size, ≥ 1 byte). */
function messageSize(obj: Record<string, unknown>, field: string, fallbackBytes: number): number {
  const bytes = parseSizeBytes(`${field}.messageBytes`, sizeInput(obj.messageBytes ?? fallbackBytes, `${field}.messageBytes`));
  if (bytes < 1) throw new UsageError(`${field}.messageBytes`, 'expects a size of at least 1 byte, such as 1KiB');
  return bytes;
}

function wholeCount(input: unknown, field: string): number {
  if (typeof input !== 'number' || !Number.isInteger(input) || input < 1) throw new UsageError(field, `expects a whole number ≥ 1 (got ${JSON.stringify(input)})`);
  return input;
}

function validateDefaults(input: unknown): ScenarioDefaults {
  const obj = asObject(input, 'scenario.defaults');
  const durationMs = parseDurationMs('scenario.defaults.duration', durationInput(obj.duration ?? '10s', 'scenario.defaults.duration'));
  const warmupMs = parseDurationMs('scenario.defaults.warmup', durationInput(obj.warmup ?? '2s', 'scenario.defaults.warmup'));
  const concurrency = obj.concurrency ?? 50;
  if (typeof concurrency !== 'number' || !Number.isInteger(concurrency) || concurrency < 1) {
    throw new UsageError('scenario.defaults.concurrency', `expects a whole number ≥ 1 (got ${JSON.stringify(concurrency)})`);
  }
  const defaults: { -readonly [K in keyof ScenarioDefaults]: ScenarioDefaults[K] } = { durationMs, warmupMs, concurrency };
  if (obj.rate !== undefined) {
    if (typeof obj.rate !== 'number' || !(obj.rate > 0)) throw new UsageError('scenario.defaults.rate', `expects requests per second > 0 (got ${JSON.stringify(obj.rate)})`);
    defaults.rate = obj.rate;
  }
  if (obj.stages !== undefined) defaults.stages = parseStages('scenario.defaults.stages', asString(obj.stages, 'scenario.defaults.stages'));
  if (obj.connectionPolicy !== undefined) {
    if (obj.connectionPolicy !== 'keep-alive' && obj.connectionPolicy !== 'new-per-request') {
      throw new UsageError('scenario.defaults.connectionPolicy', `expects 'keep-alive' or 'new-per-request'`);
    }
    defaults.connectionPolicy = obj.connectionPolicy;
  }
  if (obj.thresholds !== undefined) {
    if (!Array.isArray(obj.thresholds) || !obj.thresholds.every((t) => typeof t === 'string')) {
      throw new UsageError('scenario.defaults.thresholds', 'expects an array of threshold expressions such as "p95<100ms"');
    }
    defaults.thresholds = obj.thresholds as string[];
  }
  return defaults;
}

/**
 * Names every plain JavaScript object already answers to (`constructor`, `toString`, `__proto__` …).
 * The report, its merge, thresholds and compare key per-kind figures by the kind's name in plain
 * objects, where such a name would read the built-in instead, or (`__proto__`) vanish on assignment.
 */
const RESERVED_KIND_NAMES: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

/** A mix entry's kind: a non-empty string that is not one of {@link RESERVED_KIND_NAMES}. */
function kindName(input: unknown, field: string): string {
  const name = asString(input, field);
  if (RESERVED_KIND_NAMES.has(name)) {
    throw new UsageError(field, `'${name}' is reserved (a built-in property name of JavaScript objects, as are constructor, toString and __proto__; the report keys its figures by request name): choose another name`);
  }
  // Thresholds read `proxy[1].p99` as a proxy's figures (reports/thresholds/proxy-selector.ts).
  if (name.startsWith('proxy[')) throw new UsageError(field, `'${name}': a request kind may not start with 'proxy[', which thresholds use to name a proxy; choose another name`);
  return name;
}

function asObject(input: unknown, field: string): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new UsageError(field, 'expects an object');
  return input as Record<string, unknown>;
}

function asString(input: unknown, field: string): string {
  if (typeof input !== 'string' || input.trim() === '') throw new UsageError(field, `expects a non-empty string (got ${JSON.stringify(input)})`);
  return input;
}

function durationInput(input: unknown, field: string): string | number {
  if (typeof input === 'string' || typeof input === 'number') return input;
  throw new UsageError(field, 'expects a duration such as 500ms, 10s or 2m');
}

function sizeInput(input: unknown, field: string): string | number {
  if (typeof input === 'string' || typeof input === 'number') return input;
  throw new UsageError(field, 'expects a size such as 512, 1KiB or 1MiB');
}
