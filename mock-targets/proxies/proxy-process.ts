import { serveAsChild } from '../child-entry.js';
import { Allowlist } from './allowlist.js';
import { startHttpProxy, type ProxyServerOptions } from './http-proxy.js';
import { parseProxyProcessConfig } from './proxy-process-messages.js';
import { startSocks5Proxy } from './socks5-proxy.js';

/**
 * Child-process entry of the reference proxies (forked by reference-proxies.ts, run from dist/).
 * They live in their own process so the report measures their memory and CPU apart from the
 * harness's. Protocol: the first IPC message is a ProxyProcessConfig; the child answers a
 * ProxyProcessReply (child-entry.ts does the IPC and the shutdown).
 */
serveAsChild('proxy-process', parseProxyProcessConfig, async (config, { own }) => {
  const options: ProxyServerOptions = { allow: new Allowlist(config.allow), ...(config.auth ? { auth: config.auth } : {}) };
  // One after the other, so that if the second fails the first is already owned and closed.
  const http = config.http ? own(await startHttpProxy(options)) : undefined;
  const socks = config.socks5 ? own(await startSocks5Proxy(options)) : undefined;
  return { ...(http ? { httpPort: http.port } : {}), ...(socks ? { socksPort: socks.port } : {}) };
});
