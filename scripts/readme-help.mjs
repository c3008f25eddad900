// Rewrites the README's flag reference from the CLI's own --help (run after `npm run build`):
// each "### `proxybench <command>`" section's text block becomes `proxybench <command> --help`.
// `--check` only says whether the README is current (test/e2e/readme-help.test.ts runs it).
// Globals imported by name: the lint config gives .mjs files no Node globals.
import { execFileSync } from 'node:child_process';
import console from 'node:console';
import { readFileSync, writeFileSync } from 'node:fs';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const readmePath = `${root}README.md`;
const cli = `${root}dist/harness/cli/main.js`;
const SECTION = /(### `proxybench (\w+)`\n\n```text\n)([\s\S]*?)(```)/g;

const readme = readFileSync(readmePath, 'utf8');
const current = readme.replace(SECTION, (_all, head, command, _old, tail) => {
  const help = execFileSync(process.execPath, [cli, command, '--help'], { encoding: 'utf8' });
  return `${head}${help.trimEnd()}\n${tail}`;
});
if (process.argv.includes('--check')) {
  if (current !== readme) {
    console.error('README.md flag reference differs from --help: run `npm run build && node scripts/readme-help.mjs`');
    process.exitCode = 1;
  }
} else if (current !== readme) {
  writeFileSync(readmePath, current);
  console.log('README.md flag reference updated');
}
