import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { UsageError } from '../../core/errors.js';
import { poolOf, type ProxySet } from '../../core/proxy-set.js';
import type { Scenario } from '../../core/scenario.js';
import { targetMix, type TargetRoute } from '../../core/target-mix.js';
import { parseUserTarget, type UserTarget } from '../../core/user-target.js';
import type { RunOptions } from './run-options.js';

/** A run driven toward the user's own targets, as resolved. */
export interface UserTargets {
  /** In the order given; the mix's entries are theirs, in the same order. */
  readonly targets: readonly UserTarget[];
  /** PEM read from `--target-ca`: trusted beside the system's CAs for https targets. */
  readonly caPem?: string;
}

/**
 * Resolves `--target` (or the scenario's `targets`) into the scenario the run drives: the
 * scenario's load defaults with one GET kind per target as its mix (core/target-mix.ts). With an
 * http:// proxy (or none: the embedded one) http targets go as forward requests and https ones
 * through CONNECT; with only a socks5:// proxy both go through SOCKS5. Refuses, before any load,
 * what cannot go with targets: standalone mock targets (`--targets`) and the options placing the
 * run's own origins (none start), a hold scenario, and proxies of both kinds (which one to drive
 * would be a silent choice). Returns undefined when the run has no target of the user's.
 *
 * @throws UsageError naming the flag or field
 */
export async function resolveUserTargets(options: RunOptions, scenario: Scenario, proxies: ProxySet): Promise<{ scenario: Scenario; userTargets: UserTargets } | undefined> {
  const fromFlags = options.userTargets !== undefined && options.userTargets.length > 0;
  const targets = fromFlags ? options.userTargets!.map(targetOption) : scenario.targets;
  if (targets === undefined || targets.length === 0) {
    if (options.targetCa !== undefined) throw new UsageError('--target-ca', 'applies to https:// targets of your own; give --target https://… too');
    return undefined;
  }
  const field = fromFlags ? '--target' : 'scenario.targets';
  if (options.targets !== undefined) {
    throw new UsageError(field, "drives your own upstreams, and --targets names standalone mock targets: give one or the other");
  }
  const placing = options.originHost !== undefined ? '--origin-host' : options.advertise !== undefined ? '--advertise' : undefined;
  if (placing) throw new UsageError(placing, `places the run's own mock origins; a run with ${field} starts none`);
  if (scenario.hold) throw new UsageError(field, `drives a request loop; scenario '${scenario.name}' holds connections instead: use a request scenario such as http-get`);
  const hasHttp = poolOf(proxies, 'http').length > 0;
  const hasSocks5 = poolOf(proxies, 'socks5').length > 0;
  if (hasHttp && hasSocks5) {
    throw new UsageError('--proxy', `with ${field} give one proxy, an http:// or a socks5:// one: each target goes through one of them`);
  }
  const route: TargetRoute = hasSocks5 && !hasHttp ? 'socks5' : 'http';
  const caPem = options.targetCa === undefined ? undefined : await readCaPem(options.targetCa);
  if (caPem !== undefined && !targets.some((t) => t.url.startsWith('https:'))) {
    throw new UsageError('--target-ca', 'applies to https:// targets; every target given is http://');
  }
  return {
    scenario: { ...scenario, mix: targetMix(targets, route), targets },
    userTargets: { targets, ...(caPem !== undefined ? { caPem } : {}) },
  };
}

/** One `userTargets` option: a URL, or a URL with the SHA-256 its body must have. */
function targetOption(option: NonNullable<RunOptions['userTargets']>[number]): UserTarget {
  if (typeof option === 'string') return parseUserTarget('--target', option);
  return parseUserTarget('--target', option.url, option.sha256, '--target-sha256');
}

/** The PEM of `--target-ca`: certificates only, read before the load. */
async function readCaPem(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError('--target-ca', `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError('--target-ca', `${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  try {
    // What each transport will do with it: a certificate that does not parse is the user's to fix.
    createSecureContext({ ca: text });
  } catch (err) {
    throw new UsageError('--target-ca', `${path} holds a certificate that cannot be read: ${(err as Error).message.split('\n')[0]}`);
  }
  return text;
}
