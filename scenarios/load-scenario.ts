import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../core/errors.js';
import { BUILT_IN_SCENARIOS, builtInScenario } from './catalog.js';
import type { Scenario } from '../core/scenario.js';
import { validateScenario } from './validate-scenario.js';

/**
 * Resolves what the user named: a built-in scenario, or a path to their own (`.json`, or an ESM
 * module — `.js`/`.mjs` — whose default export is the scenario).
 */
export async function loadScenario(nameOrPath: string): Promise<Scenario> {
  const builtIn = builtInScenario(nameOrPath);
  if (builtIn) return builtIn;
  const ext = extname(nameOrPath).toLowerCase();
  if (ext !== '.json' && ext !== '.js' && ext !== '.mjs') {
    const names = BUILT_IN_SCENARIOS.map((s) => s.name).join(', ');
    throw new UsageError('scenario', `'${nameOrPath}' is not a built-in scenario (${names}) nor a .json/.js/.mjs file`);
  }
  const path = resolve(nameOrPath);
  let data: unknown;
  try {
    if (ext === '.json') {
      data = JSON.parse(await readFile(path, 'utf8'));
    } else {
      const mod = (await import(pathToFileURL(path).href)) as { default?: unknown };
      data = mod.default;
    }
  } catch (err) {
    throw new UsageError('scenario', `cannot read ${nameOrPath}: ${(err as Error).message.split('\n')[0]}`);
  }
  return validateScenario(data, nameOrPath);
}
