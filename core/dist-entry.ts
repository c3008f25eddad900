import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Absolute path of a compiled entry file (worker thread or child process) under the package's
 * `dist/`. Worker and child entries must be JavaScript even when the caller runs from TypeScript
 * sources (vitest), so they are always taken from `dist/`, which `npm ci` builds (`prepare`).
 *
 * @param relativePath path below `dist/`, e.g. `harness/run/worker-entry.js`
 */
export function distEntry(relativePath: string): string {
  const root = packageRoot();
  const file = join(root, 'dist', relativePath);
  if (!existsSync(file)) {
    throw new Error(`${file} is missing: run 'npm run build' first`);
  }
  return file;
}

let cachedRoot: string | undefined;

/** The folder holding proxybench's package.json, found upward from this file. */
export function packageRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || dir.endsWith('dist')) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('proxybench package root not found');
    dir = parent;
  }
  cachedRoot = dir;
  return dir;
}
