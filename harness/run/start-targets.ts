import { startOriginProcess, type RunningOriginProcess } from '../../mock-targets/origins/origin-launcher.js';
import type { Scenario } from '../../core/scenario.js';
import type { OriginAddress } from '../../core/request.js';

/** The mock origins a run started. */
export interface RunTargets {
  readonly http?: OriginAddress;
  readonly https?: OriginAddress;
  readonly caPem?: string;
  /** Every address the proxies must be allowed to reach. */
  readonly addresses: readonly OriginAddress[];
  close(): Promise<void>;
}

/**
 * Starts the mock origins the scenario's mix needs (HTTP, HTTPS) in their own process, on
 * 127.0.0.1 ephemeral ports.
 */
export async function startRunTargets(scenario: Scenario): Promise<RunTargets> {
  const wanted = new Set(scenario.mix.map((m) => m.origin));
  const process: RunningOriginProcess = await startOriginProcess({ http: wanted.has('http'), https: wanted.has('https'), tcpEcho: false });
  return {
    ...(process.http ? { http: process.http } : {}),
    ...(process.https ? { https: process.https } : {}),
    ...(process.caPem ? { caPem: process.caPem } : {}),
    addresses: [process.http, process.https].filter((a): a is OriginAddress => a !== undefined),
    close: () => process.stop(),
  };
}
