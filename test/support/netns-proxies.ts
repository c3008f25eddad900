import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NamespacePair } from './netns.js';
import { findBinary } from './real-proxies.js';

// Real proxies configured for the proxy namespace of netns.ts: they listen on the proxy end's
// address only, accept clients from the harness end's address only, and log each client's address
// (tinyproxy at LogLevel Connect, dante's `log: connect`), so a test can read who connected.

/** A real proxy's command line for the proxy namespace, and where to reach it. */
export interface NamespacedProxy {
  /** argv to run in the proxy namespace (in the foreground; tinyproxy logs to stdout, dante to stderr). */
  readonly argv: readonly string[];
  /** Port on the proxy end's address. */
  readonly port: number;
  /** `http://198.18.0.1:PORT` or `socks5://198.18.0.1:PORT`. */
  readonly url: string;
}

/** The namespace is fresh, so the proxies' usual ports are free in it whatever runs elsewhere. */
const TINYPROXY_PORT = 3128;
const DANTE_PORT = 1080;

/** Which of the proxies this file starts are not installed (as Debian package names). */
export function missingNamespacedProxies(): string[] {
  return [
    ...(findBinary('tinyproxy') ? [] : ['tinyproxy']),
    ...(findBinary('dante') ? [] : ['dante-server']),
  ];
}

function binary(name: 'tinyproxy' | 'dante'): string {
  const path = findBinary(name);
  if (!path) throw new Error(`${name} is not installed`);
  return path;
}

/**
 * tinyproxy (HTTP forward and CONNECT, any port) on the proxy end; config written into `workDir`.
 * Started as root (namespaces need it), it drops to nobody after binding.
 */
export function namespacedTinyproxy(pair: NamespacePair, workDir: string): NamespacedProxy {
  const config = join(workDir, 'tinyproxy.conf');
  writeFileSync(
    config,
    [
      `Port ${TINYPROXY_PORT}`,
      `Listen ${pair.proxy.address}`,
      `Allow ${pair.harness.address}`,
      'User nobody',
      'Group nogroup',
      'Timeout 60',
      'MaxClients 1000',
      // Connect: one line per client connection naming its address (and one per request).
      'LogLevel Connect',
      'DisableViaHeader Yes',
      '',
    ].join('\n'),
  );
  return { argv: [binary('tinyproxy'), '-d', '-c', config], port: TINYPROXY_PORT, url: `http://${pair.proxy.address}:${TINYPROXY_PORT}` };
}

/** dante (SOCKS5 CONNECT, no authentication) on the proxy end, relaying to the harness end only. */
export function namespacedDante(pair: NamespacePair, workDir: string): NamespacedProxy {
  const config = join(workDir, 'danted.conf');
  const client = `${pair.harness.address}/32`;
  writeFileSync(
    config,
    [
      'logoutput: stderr',
      `internal: ${pair.proxy.address} port = ${DANTE_PORT}`,
      `external: ${pair.proxy.address}`,
      'clientmethod: none',
      'socksmethod: none',
      'user.privileged: root',
      'user.unprivileged: nobody',
      `client pass {\n  from: ${client} to: ${pair.proxy.address}/32\n  log: connect\n}`,
      `socks pass {\n  from: ${client} to: ${client}\n  command: connect\n  log: connect\n}`,
      'socks block {\n  from: 0.0.0.0/0 to: 0.0.0.0/0\n  log: error\n}',
      '',
    ].join('\n'),
  );
  return {
    argv: [binary('dante'), '-f', config, '-p', join(workDir, 'danted.pid')],
    port: DANTE_PORT,
    url: `socks5://${pair.proxy.address}:${DANTE_PORT}`,
  };
}
