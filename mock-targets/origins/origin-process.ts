import { startOrigin, type RunningOrigin } from './http-origin.js';
import { startTcpEcho, type RunningTcpEcho } from './tcp-echo.js';

/**
 * Child-process entry of the mock targets (forked by origin-launcher.ts, run from dist/). The
 * origins live apart from the harness so that the harness's CPU figure is the load generator's
 * alone — on a 2-core machine, an origin in the harness's process would be billed as harness cost.
 * Protocol: the first IPC message is {@link OriginProcessConfig}; the child answers
 * {@link OriginProcessReply}; SIGTERM or a lost parent closes it.
 */

/** Which targets to start. */
export interface OriginProcessConfig {
  readonly http: boolean;
  readonly https: boolean;
  readonly tcpEcho: boolean;
}

/** The child's answer. */
export type OriginProcessReply =
  | { readonly type: 'ready'; readonly httpPort?: number; readonly httpsPort?: number; readonly tcpEchoPort?: number; readonly caPem?: string }
  | { readonly type: 'error'; readonly message: string };

const SHUTDOWN_DEADLINE_MS = 1_000;
const running: { close(): Promise<void> }[] = [];
let shuttingDown = false;

function reply(message: OriginProcessReply): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined || !process.connected) resolve();
    else process.send(message, () => resolve());
  });
}

async function start(config: OriginProcessConfig): Promise<void> {
  const http: RunningOrigin | undefined = config.http ? await startOrigin({ tls: false }) : undefined;
  if (http) running.push(http);
  const https: RunningOrigin | undefined = config.https ? await startOrigin({ tls: true }) : undefined;
  if (https) running.push(https);
  const echo: RunningTcpEcho | undefined = config.tcpEcho ? await startTcpEcho() : undefined;
  if (echo) running.push(echo);
  await reply({
    type: 'ready',
    ...(http ? { httpPort: http.address.port } : {}),
    ...(https ? { httpsPort: https.address.port, ...(https.caPem ? { caPem: https.caPem } : {}) } : {}),
    ...(echo ? { tcpEchoPort: echo.port } : {}),
  });
}

function shutdown(code: number): void {
  if (shuttingDown) return;
  shuttingDown = true;
  setTimeout(() => process.exit(code), SHUTDOWN_DEADLINE_MS).unref();
  void Promise.allSettled(running.map((r) => r.close())).then(() => process.exit(code));
}

if (process.send === undefined) {
  console.error('origin-process: start me with child_process.fork (I take my config over IPC)');
  process.exit(2);
}
process.once('SIGTERM', () => shutdown(0));
process.once('disconnect', () => shutdown(0));
process.once('message', (message: unknown) => {
  const config = message as OriginProcessConfig;
  start({ http: config.http === true, https: config.https === true, tcpEcho: config.tcpEcho === true }).catch((err: unknown) => {
    void reply({ type: 'error', message: err instanceof Error ? err.message : String(err) }).then(() => shutdown(1));
  });
});
