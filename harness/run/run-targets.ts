import { startOrigin, type RunningOrigin } from '../../mock-targets/origins/http-origin.js';
import type { Scenario } from '../../scenarios/scenario.js';
import type { OriginAddress } from '../transports/transport.js';

/** The mock origins a run started. */
export interface RunTargets {
  readonly http?: OriginAddress;
  readonly https?: OriginAddress;
  readonly caPem?: string;
  readonly origins: readonly RunningOrigin[];
  close(): Promise<void>;
}

/** Starts the mock origins the scenario's mix needs (HTTP, HTTPS), on 127.0.0.1 ephemeral ports. */
export async function startRunTargets(scenario: Scenario): Promise<RunTargets> {
  const wanted = new Set(scenario.mix.map((m) => m.origin));
  const origins: RunningOrigin[] = [];
  try {
    const http = wanted.has('http') ? await startOrigin({ tls: false }) : undefined;
    if (http) origins.push(http);
    const https = wanted.has('https') ? await startOrigin({ tls: true }) : undefined;
    if (https) origins.push(https);
    return {
      ...(http ? { http: http.address } : {}),
      ...(https ? { https: https.address, ...(https.caPem ? { caPem: https.caPem } : {}) } : {}),
      origins,
      close: async () => {
        await Promise.all(origins.map((o) => o.close()));
      },
    };
  } catch (err) {
    await Promise.all(origins.map((o) => o.close()));
    throw err;
  }
}
