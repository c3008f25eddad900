import type { TargetsDescription } from '../../core/targets-description.js';
import { startOriginProcess, type RunningOriginProcess } from '../../mock-targets/origins/origin-launcher.js';
import type { TargetPorts } from '../../mock-targets/origins/origin-process-messages.js';
import type { ChildExit } from '../../mock-targets/child-service.js';

/** Options of {@link serveTargets} — the typed twin of `proxybench targets`. */
export interface TargetsOptions {
  /** Address to listen on (default 127.0.0.1; `0.0.0.0` for every interface). */
  readonly host?: string;
  /** The name or address the proxy under test should use, written into the URLs. */
  readonly advertise?: string;
  /** Fixed ports by target; the others are ephemeral. */
  readonly ports?: TargetPorts;
}

/** The mock targets running standalone. */
export interface ServedTargets {
  /** What `run --targets` reads: a URL per target, and the test CA. */
  readonly description: TargetsDescription;
  readonly exited: Promise<ChildExit>;
  stop(): Promise<void>;
}

/**
 * Starts every mock target (HTTP and HTTPS origins, TCP echo and source/sink, WebSocket echo over
 * ws and wss, UDP echo) as a standalone service, for runs that share them: shards of one run, a
 * proxy in a container or on another host (docs/kubernetes.md). Bodies stay verifiable because
 * their content is a function of the seed each request names, not of the process serving it.
 */
export async function serveTargets(options: TargetsOptions = {}): Promise<ServedTargets> {
  const running = await startOriginProcess({
    http: true, https: true, tcpEcho: true, tcpSourceSink: true, webSocketEcho: true, webSocketEchoTls: true, udpEcho: true,
    ...(options.host ? { host: options.host } : {}),
    ...(options.ports ? { ports: options.ports } : {}),
  }, options.advertise);
  return { description: describeTargets(running), exited: running.exited, stop: running.stop };
}

/** The URLs of the running targets. */
export function describeTargets(running: RunningOriginProcess): TargetsDescription {
  const at = (scheme: string, a: { host: string; port: number } | undefined): string | undefined =>
    a ? `${scheme}://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}` : undefined;
  const entries: [keyof TargetsDescription, string | undefined][] = [
    ['http', at('http', running.http)],
    ['https', at('https', running.https)],
    ['tcpEcho', at('tcp', running.tcpEcho)],
    ['tcpSourceSink', at('tcp', running.tcpSourceSink)],
    ['webSocketEcho', running.webSocketEcho?.url],
    ['webSocketEchoTls', running.webSocketEchoTls?.url],
    ['udpEcho', at('udp', running.udpEcho)],
    ['caPem', running.caPem],
  ];
  return Object.fromEntries(entries.filter((e): e is [keyof TargetsDescription, string] => e[1] !== undefined)) as TargetsDescription;
}
