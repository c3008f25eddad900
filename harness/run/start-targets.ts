import { targetHostPort, type TargetsDescription } from '../../core/targets-description.js';
import { startOriginProcess, type RunningOriginProcess } from '../../mock-targets/origins/origin-launcher.js';
import type { OriginAddress } from '../../core/request.js';
import type { RunConfig } from '../config/run-config.js';

/** The mock origins a run uses: its own, or standalone ones (`--targets`). */
export interface RunTargets {
  readonly http?: OriginAddress;
  readonly https?: OriginAddress;
  readonly caPem?: string;
  /** Every address the proxies must be allowed to reach. */
  readonly addresses: readonly OriginAddress[];
  close(): Promise<void>;
}

/**
 * The run's mock origins. With `--targets`, the standalone ones it names (nothing is started, and
 * nothing is stopped at the end). Otherwise the origins the scenario's mix needs, started in their
 * own process on `--origin-host` (default 127.0.0.1) at ephemeral ports, named by `--advertise`
 * where the proxy under test must reach them by another name.
 */
export async function startRunTargets(config: RunConfig): Promise<RunTargets> {
  if (config.targets) return givenTargets(config.targets);
  const wanted = new Set(config.scenario.mix.map((m) => m.origin));
  const running: RunningOriginProcess = await startOriginProcess(
    { http: wanted.has('http'), https: wanted.has('https'), tcpEcho: false, ...(config.originHost ? { host: config.originHost } : {}) },
    config.advertiseHost,
  );
  return {
    ...(running.http ? { http: running.http } : {}),
    ...(running.https ? { https: running.https } : {}),
    ...(running.caPem ? { caPem: running.caPem } : {}),
    addresses: [running.http, running.https].filter((a): a is OriginAddress => a !== undefined),
    close: () => running.stop(),
  };
}

/** Standalone targets as a run uses them: their URLs as origin addresses. */
function givenTargets(description: TargetsDescription): RunTargets {
  const origin = (protocol: 'http' | 'https', url: string | undefined): OriginAddress | undefined =>
    url === undefined ? undefined : { protocol, ...targetHostPort(url) };
  const http = origin('http', description.http);
  const https = origin('https', description.https);
  return {
    ...(http ? { http } : {}),
    ...(https ? { https } : {}),
    ...(description.caPem ? { caPem: description.caPem } : {}),
    addresses: [http, https].filter((a): a is OriginAddress => a !== undefined),
    close: async () => undefined,
  };
}
