import { readFile } from 'node:fs/promises';
import { UsageError } from '../../core/errors.js';
import { isStreamOperation, type Scenario } from '../../core/scenario.js';
import { streamTargetNameOf } from '../../core/exchange.js';
import { parseTargetsDescription, type TargetsDescription } from '../../core/targets-description.js';
import type { RunOptions } from './run-options.js';

/** Where a run's origins are: given (`--targets`), or its own, placed by `--origin-host`/`--advertise`. */
export type TargetsPlacement =
  | { readonly targets: TargetsDescription }
  | { readonly originHost?: string; readonly advertiseHost?: string };

/**
 * Resolves `--targets` (inline JSON, or a file holding the line `proxybench targets` printed),
 * `--origin-host` and `--advertise`, and checks before the load that the given targets have every
 * origin the scenario's mix needs.
 *
 * @throws UsageError naming the flag
 */
export async function resolveTargets(options: RunOptions, scenario: Scenario): Promise<TargetsPlacement> {
  if (options.targets === undefined) {
    return { ...(options.originHost ? { originHost: options.originHost } : {}), ...(options.advertise ? { advertiseHost: options.advertise } : {}) };
  }
  if (options.originHost !== undefined || options.advertise !== undefined) {
    throw new UsageError(options.originHost !== undefined ? '--origin-host' : '--advertise', 'places the run\'s own origins; with --targets the run starts none (give the address to `proxybench targets` instead)');
  }
  const targets = typeof options.targets === 'string' ? parseTargetsDescription('--targets', await jsonText(options.targets)) : options.targets;
  // A stream operation goes to its stream target (a WebSocket echo, …), not to the HTTP origin its entry names.
  const names = new Set(scenario.mix.map((entry) => (isStreamOperation(entry.operation) ? streamTargetNameOf(entry.origin, entry.operation) : entry.origin)));
  for (const name of names) {
    if (targets[name] === undefined) throw new UsageError('--targets', `has no ${name} target, which scenario '${scenario.name}' needs`);
  }
  if (targets.https !== undefined && targets.caPem === undefined) throw new UsageError('--targets', 'names an https target but no caPem to trust it');
  return { targets };
}

/** The JSON itself, or the first line of the file it names. */
async function jsonText(value: string): Promise<string> {
  if (value.trimStart().startsWith('{')) return value;
  try {
    return (await readFile(value, 'utf8')).split('\n').find((line) => line.trim() !== '') ?? '';
  } catch (err) {
    throw new UsageError('--targets', `cannot read ${value}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
