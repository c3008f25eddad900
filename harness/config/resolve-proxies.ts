import { readFile } from 'node:fs/promises';
import { UsageError } from '../../core/errors.js';
import { DEFAULT_PROXY_PICK, isProxyPick, PROXY_PICKS } from '../../core/proxy-pick.js';
import { NO_PROXIES, parseProxyInputs, type ProxyInput, type ProxySet } from '../../core/proxy-set.js';
import type { Scenario } from '../../core/scenario.js';
import { targetHostPort } from '../../core/targets-description.js';
import { refuseNoProxyMatch } from './no-proxy.js';
import { ENV_PROXY, proxiesFromEnvironment } from './proxy-env.js';
import type { TargetsPlacement } from './resolve-targets.js';
import type { RunOptions } from './run-options.js';

/** The proxies a run was given, resolved. */
export interface ResolvedProxies {
  /** Empty when none was given (the run then starts the embedded reference proxies). */
  readonly proxies: ProxySet;
  /** True when any source of proxies was given (`--proxy`, `--proxy-file`). */
  readonly given: boolean;
  /** The flag that gave them, for the fit check's error (the caller checks the fit once the route is known). */
  readonly field?: '--proxy' | '--proxy-file';
}

/**
 * Resolves `--proxy` (URLs, and `env` for the environment's proxies), `--proxy-file` (read after
 * them) and `--proxy-pick` into one set, checked against the scenario. The environment is read
 * only when `env` is among the `--proxy` values, and then its NO_PROXY too.
 *
 * @param placement where the run's targets are: NO_PROXY is matched against their hosts
 * @throws UsageError naming the flag, the file and line, or the variable
 */
export async function resolveProxies(options: RunOptions, scenario: Scenario, placement: TargetsPlacement): Promise<ResolvedProxies> {
  const pick = options.proxyPick ?? DEFAULT_PROXY_PICK;
  if (!isProxyPick(pick)) throw new UsageError('--proxy-pick', `expects one of ${PROXY_PICKS.join(', ')} (got '${String(pick)}')`);
  const given = options.proxies ?? [];
  const inputs: ProxyInput[] = [];
  let readEnv = false;
  for (const entry of given) {
    if (typeof entry !== 'string') {
      inputs.push({ field: '--proxy', url: entry.url, ...(entry.weight !== undefined ? { weight: entry.weight } : {}) });
    } else if (entry.trim() === ENV_PROXY) {
      if (readEnv) throw new UsageError('--proxy', `${ENV_PROXY} was given twice; give it once`);
      readEnv = true;
      const env = options.proxyEnv ?? process.env;
      inputs.push(...proxiesFromEnvironment(env, scenario));
      refuseNoProxyMatch(env, targetHosts(placement));
    } else {
      inputs.push({ field: '--proxy', url: entry });
    }
  }
  if (options.proxyFile !== undefined) inputs.push(...(await proxyFileInputs(options.proxyFile)));
  if (given.length === 0 && options.proxyFile === undefined) return { proxies: { ...NO_PROXIES, pick }, given: false };
  const proxies = parseProxyInputs(inputs, pick);
  return { proxies, given: true, field: options.proxyFile !== undefined && given.length === 0 ? '--proxy-file' : '--proxy' };
}

/**
 * The URLs of a proxy file: one a line; blank lines, lines starting with `#` and anything after
 * ` #` (a space, then `#`) are skipped, so `http://h:1#weight=3  # rack 2` keeps its weight.
 */
async function proxyFileInputs(path: string): Promise<ProxyInput[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : code === 'EACCES' ? 'permission denied' : (code ?? (err as Error).message);
    throw new UsageError('--proxy-file', `cannot read ${path}: ${why}`);
  }
  const inputs = text.split(/\r?\n/).flatMap((line, i): ProxyInput[] => {
    const url = line.replace(/\s+#.*$/, '').trim();
    return url === '' || url.startsWith('#') ? [] : [{ field: `--proxy-file ${path} line ${i + 1}`, url }];
  });
  if (inputs.length === 0) throw new UsageError('--proxy-file', `${path} holds no proxy URL (one a line; blank lines and # comments are skipped)`);
  return inputs;
}

/** The hosts a run's traffic goes to: its given targets', or the address its own origins are reached at. */
function targetHosts(placement: TargetsPlacement): string[] {
  if ('targets' in placement) {
    return Object.entries(placement.targets).flatMap(([key, value]) => (key === 'caPem' || typeof value !== 'string' ? [] : [targetHostPort(value).host]));
  }
  const listening = placement.originHost === undefined || ['0.0.0.0', '::'].includes(placement.originHost) ? '127.0.0.1' : placement.originHost;
  return [placement.advertiseHost ?? listening];
}
