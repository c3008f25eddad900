import { serveAsChild } from '../child-entry.js';
import { startOrigin } from './http-origin.js';
import { startTcpEcho } from './tcp-echo.js';
import type { OriginProcessConfig, OriginProcessReply } from './origin-process-messages.js';

/**
 * Child-process entry of the mock targets (forked by origin-launcher.ts, run from dist/). The
 * origins live apart from the harness so that the harness's CPU figure is the load generator's
 * alone — on a 2-core machine, an origin in the harness's process would be billed as harness cost.
 * Protocol: the first IPC message is {@link OriginProcessConfig}; the child answers
 * {@link OriginProcessReply} (child-entry.ts does the IPC and the shutdown).
 */

serveAsChild<OriginProcessConfig, Omit<Extract<OriginProcessReply, { type: 'ready' }>, 'type'>>(
  'origin-process',
  (message) => {
    const config = message as Partial<OriginProcessConfig> | null;
    return { http: config?.http === true, https: config?.https === true, tcpEcho: config?.tcpEcho === true };
  },
  async (config, { own }) => {
    const http = config.http ? own(await startOrigin({ tls: false })) : undefined;
    const https = config.https ? own(await startOrigin({ tls: true })) : undefined;
    const echo = config.tcpEcho ? own(await startTcpEcho()) : undefined;
    return {
      ...(http ? { httpPort: http.address.port } : {}),
      ...(https ? { httpsPort: https.address.port, ...(https.caPem ? { caPem: https.caPem } : {}) } : {}),
      ...(echo ? { tcpEchoPort: echo.port } : {}),
    };
  },
);
