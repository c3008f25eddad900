import { Allowlist } from './allowlist.js';
import { startHttpProxy, type ProxyServerOptions, type RunningProxyServer } from './http-proxy.js';
import { parseProxyProcessConfig, type ProxyProcessConfig, type ProxyProcessReply } from './proxy-process-messages.js';
import { startSocks5Proxy } from './socks5-proxy.js';

/**
 * Child-process entry of the reference proxies (forked by reference-proxies.ts, run from dist/).
 * They live in their own process so the report measures their memory and CPU apart from the
 * harness's. Protocol: the first IPC message is a {@link ProxyProcessConfig}; the child answers a
 * {@link ProxyProcessReply}. It closes and exits 0 on SIGTERM, or when the IPC channel disconnects
 * (the parent died), so it never outlives the harness.
 */

/** Longest a shutdown may take before the child exits anyway, ms. */
const SHUTDOWN_DEADLINE_MS = 1_000;

const servers: RunningProxyServer[] = [];
let shuttingDown = false;

/** Sends a reply; resolves once it has left, so an exit right after cannot drop it. */
function reply(message: ProxyProcessReply): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined || !process.connected) resolve();
    else process.send(message, () => resolve());
  });
}

async function start(config: ProxyProcessConfig): Promise<void> {
  const options: ProxyServerOptions = { allow: new Allowlist(config.allow), ...(config.auth ? { auth: config.auth } : {}) };
  // One after the other, so that if the second fails the first is already in `servers` and closed.
  const http = config.http ? await startHttpProxy(options) : undefined;
  if (http) servers.push(http);
  const socks = config.socks5 ? await startSocks5Proxy(options) : undefined;
  if (socks) servers.push(socks);
  if (shuttingDown) return;
  await reply({ type: 'ready', ...(http ? { httpPort: http.port } : {}), ...(socks ? { socksPort: socks.port } : {}) });
}

function shutdown(code: number): void {
  if (shuttingDown) return;
  shuttingDown = true;
  // A connection that will not die must not keep the child alive after its parent asked it to go.
  setTimeout(() => process.exit(code), SHUTDOWN_DEADLINE_MS).unref();
  void Promise.allSettled(servers.map((server) => server.close())).then(() => process.exit(code));
}

if (process.send === undefined) {
  console.error('proxy-process: start me with child_process.fork (I take my config over IPC)');
  process.exit(2);
}
process.once('SIGTERM', () => shutdown(0));
process.once('disconnect', () => shutdown(0));
process.once('message', (message: unknown) => {
  let config: ProxyProcessConfig;
  try {
    config = parseProxyProcessConfig(message);
  } catch (err) {
    void reply({ type: 'error', message: (err as Error).message }).then(() => shutdown(1));
    return;
  }
  start(config).catch((err: unknown) => {
    void reply({ type: 'error', message: err instanceof Error ? err.message : String(err) }).then(() => shutdown(1));
  });
});
