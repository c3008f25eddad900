import { streamTargetNameOf, type StreamTargetName, type StreamTargets } from '../../core/exchange.js';
import { isStreamOperation, type RequestMixEntry } from '../../core/scenario.js';
import { targetHostPort, type TargetsDescription } from '../../core/targets-description.js';
import { startOriginProcess, type RunningOriginProcess } from '../../mock-targets/origins/origin-launcher.js';
import type { OriginAddress } from '../../core/request.js';
import type { RunConfig } from '../config/run-config.js';
import { UsageError } from '../../core/errors.js';
import { userTargetDestinations } from './user-target-destinations.js';

/** The mock targets a run uses: its own, or standalone ones (`--targets`). */
export interface RunTargets {
  readonly http?: OriginAddress;
  readonly https?: OriginAddress;
  /** The stream targets (TCP echo, source/sink, WebSocket echo, UDP echo) the mix needs. */
  readonly streams: StreamTargets;
  readonly caPem?: string;
  /** Every address the proxies must be allowed to reach (the embedded proxy's allowlist). */
  readonly addresses: readonly { readonly host: string; readonly port: number }[];
  close(): Promise<void>;
}

/** What the mix needs: the HTTP origins by name, and the stream targets. */
interface NeededTargets {
  readonly http: boolean;
  readonly https: boolean;
  readonly streams: ReadonlySet<StreamTargetName>;
}

function neededBy(mix: readonly RequestMixEntry[]): NeededTargets {
  const names = new Set(mix.map((entry) => (isStreamOperation(entry.operation) ? streamTargetNameOf(entry.origin, entry.operation) : entry.origin)));
  const streams = new Set([...names].filter((n): n is StreamTargetName => n !== 'http' && n !== 'https'));
  return { http: names.has('http'), https: names.has('https'), streams };
}

/**
 * The run's mock targets. With `--targets`, the standalone ones it names (nothing is started, and
 * nothing is stopped at the end). Otherwise the targets the scenario's mix needs, started in their
 * own process on `--origin-host` (default 127.0.0.1) at ephemeral ports, named by `--advertise`
 * where the proxy under test must reach them by another name.
 */
export async function startRunTargets(config: RunConfig): Promise<RunTargets> {
  // The user's own targets (`--target`): no mock target starts, so nothing they did not name gets load.
  if (config.userTargets) {
    const addresses = config.embeddedProxies ? await userTargetDestinations(config.userTargets.targets) : [];
    return { streams: {}, addresses, close: async () => undefined };
  }
  const needed = neededBy(config.scenario.mix);
  if (config.targets) return givenTargets(config.targets, needed);
  const running: RunningOriginProcess = await startOriginProcess(
    {
      http: needed.http,
      https: needed.https,
      tcpEcho: needed.streams.has('tcpEcho'),
      tcpSourceSink: needed.streams.has('tcpSourceSink'),
      webSocketEcho: needed.streams.has('webSocketEcho'),
      webSocketEchoTls: needed.streams.has('webSocketEchoTls'),
      udpEcho: needed.streams.has('udpEcho'),
      ...(config.originHost ? { host: config.originHost } : {}),
    },
    config.advertiseHost,
  );
  const streams: StreamTargets = pickStreams(running);
  return {
    ...(running.http ? { http: running.http } : {}),
    ...(running.https ? { https: running.https } : {}),
    streams,
    ...(running.caPem ? { caPem: running.caPem } : {}),
    addresses: [running.http, running.https, ...Object.values(streams)].filter((a) => a !== undefined).map(({ host, port }) => ({ host, port })),
    close: () => running.stop(),
  };
}

const STREAM_NAMES: readonly StreamTargetName[] = ['tcpEcho', 'tcpSourceSink', 'webSocketEcho', 'webSocketEchoTls', 'udpEcho'];

function pickStreams(running: RunningOriginProcess): StreamTargets {
  const streams: Partial<Record<StreamTargetName, { host: string; port: number }>> = {};
  for (const name of STREAM_NAMES) {
    const address = running[name];
    if (address) streams[name] = { host: address.host, port: address.port };
  }
  return streams;
}

/** Standalone targets as a run uses them; a target the mix needs and the description lacks is a usage error. */
function givenTargets(description: TargetsDescription, needed: NeededTargets): RunTargets {
  const origin = (protocol: 'http' | 'https', url: string | undefined): OriginAddress | undefined =>
    url === undefined ? undefined : { protocol, ...targetHostPort(url) };
  const http = origin('http', description.http);
  const https = origin('https', description.https);
  const streams: Partial<Record<StreamTargetName, { host: string; port: number }>> = {};
  for (const name of needed.streams) {
    const url = description[name];
    if (url === undefined) throw new UsageError('--targets', `the scenario needs the ${name} target, which the description lacks; start 'proxybench targets' with it`);
    streams[name] = targetHostPort(url);
  }
  return {
    ...(http ? { http } : {}),
    ...(https ? { https } : {}),
    streams,
    ...(description.caPem ? { caPem: description.caPem } : {}),
    addresses: [http, https, ...Object.values(streams)].filter((a) => a !== undefined).map(({ host, port }) => ({ host, port })),
    close: async () => undefined,
  };
}
