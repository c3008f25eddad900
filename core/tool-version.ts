import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './dist-entry.js';

let cached: string | undefined;

/** proxybench's version, from its package.json. */
export function toolVersion(): string {
  cached ??= (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  return cached;
}
