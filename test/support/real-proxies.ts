import { accessSync, constants, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProxyCredentials } from '../../core/proxy-url.js';
import { formatCommand } from '../../harness/sut/split-command.js';

/** The real proxies `.ci/run` installs from Debian's packages. */
export type RealProxyName = 'squid' | 'tinyproxy' | 'dante' | 'microsocks';

/** What it takes to run one real proxy as a `--sut`. */
export interface RealProxyCommand {
  /** The `--sut` command line (run in the foreground). */
  readonly command: string;
  /** Where to send traffic: `http://127.0.0.1:PORT` or `socks5://[user:pass@]127.0.0.1:PORT`. */
  readonly proxyUrl: string;
  /** Absolute path of the proxy's executable. */
  readonly binary: string;
}

const CONFIG_DIR = fileURLToPath(new URL('../fixtures/real-proxies/', import.meta.url));

/** Debian's install paths first; the sbin directories are often missing from a user's PATH. */
const BINARIES: Readonly<Record<RealProxyName, { readonly file: string; readonly paths: readonly string[] }>> = {
  squid: { file: 'squid', paths: ['/usr/sbin/squid'] },
  tinyproxy: { file: 'tinyproxy', paths: ['/usr/bin/tinyproxy', '/usr/sbin/tinyproxy'] },
  dante: { file: 'danted', paths: ['/usr/sbin/danted'] },
  microsocks: { file: 'microsocks', paths: ['/usr/bin/microsocks'] },
};

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The proxy's executable: Debian's path, else the first match on PATH; undefined when not installed. */
export function findBinary(name: RealProxyName): string | undefined {
  const { file, paths } = BINARIES[name];
  const onPath = (process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== '').map((dir) => join(dir, file));
  return [...paths, ...onPath].find(isExecutable);
}

/** Fills `{{KEY}}` placeholders of a config template and writes it into `workDir`. */
function writeConfig(template: string, workDir: string, values: Readonly<Record<string, string>>): string {
  const text = readFileSync(join(CONFIG_DIR, template), 'utf8').replace(/\{\{(\w+)\}\}/g, (whole, key: string) => values[key] ?? whole);
  const path = join(workDir, template);
  writeFileSync(path, text);
  return path;
}

/** Proxies started as root drop to an unprivileged user (and cannot otherwise). */
const asRoot = (): boolean => process.getuid?.() === 0;

function userinfo(auth: ProxyCredentials | undefined): string {
  return auth ? `${encodeURIComponent(auth.username)}:${encodeURIComponent(auth.password)}@` : '';
}

/**
 * The `--sut` command line for a real proxy listening on 127.0.0.1:`port`, its config written into
 * `workDir` (a fresh temporary directory the caller removes). Only microsocks takes `auth`: dante's
 * username method needs a system account (see danted.conf), squid and tinyproxy are run open.
 * Throws when the proxy is not installed or cannot take `auth`.
 */
export function realProxyCommand(
  name: RealProxyName,
  opts: { port: number; auth?: ProxyCredentials; workDir: string },
): RealProxyCommand {
  const binary = findBinary(name);
  if (!binary) throw new Error(`${name} is not installed (apt-get install ${name === 'dante' ? 'dante-server' : name})`);
  if (opts.auth && name !== 'microsocks') throw new Error(`the ${name} test config has no username/password variant; use microsocks`);
  const port = String(opts.port);
  const host = `127.0.0.1:${port}`;
  switch (name) {
    case 'squid': {
      const config = writeConfig('squid.conf', opts.workDir, { PORT: port, WORKDIR: opts.workDir });
      return { binary, proxyUrl: `http://${host}`, command: formatCommand([binary, '-N', '-d', '1', '-f', config]) };
    }
    case 'tinyproxy': {
      const config = writeConfig('tinyproxy.conf', opts.workDir, { PORT: port, USER_LINES: asRoot() ? 'User nobody\nGroup nogroup' : '' });
      return { binary, proxyUrl: `http://${host}`, command: formatCommand([binary, '-d', '-c', config]) };
    }
    case 'dante': {
      const userLines = asRoot() ? 'user.privileged: root\nuser.unprivileged: nobody' : '';
      const config = writeConfig('danted.conf', opts.workDir, { PORT: port, USER_LINES: userLines });
      return { binary, proxyUrl: `socks5://${host}`, command: formatCommand([binary, '-f', config, '-p', join(opts.workDir, 'danted.pid')]) };
    }
    case 'microsocks': {
      const auth = opts.auth ? ['-u', opts.auth.username, '-P', opts.auth.password] : [];
      return {
        binary,
        proxyUrl: `socks5://${userinfo(opts.auth)}${host}`,
        command: formatCommand([binary, '-i', '127.0.0.1', '-p', port, '-b', '127.0.0.1', ...auth]),
      };
    }
  }
}
