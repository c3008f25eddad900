import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { dockerfileProblems, type ImageBuild } from './dockerfile-checks.js';

// The image cannot be built here (no container registry), so the Dockerfile is linted instead:
// dockerfile-utils (the Docker language server's validator) for the syntax, and the rules the
// image depends on (dockerfile-checks.ts), each also shown failing on a copy that breaks it.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function read(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

function sourceFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return path.endsWith('.ts') && !path.endsWith('.test.ts') && !path.endsWith('.d.ts') ? [path] : [];
  return readdirSync(path).flatMap((name) => sourceFiles(join(path, name)));
}

/**
 * What `npm ci` and `npm run build` read, from the repository's root: the package files, the
 * TypeScript configs, tsconfig.build.json's `include`, and every top-level folder or file its
 * sources import (core/ is reached only that way).
 */
function buildInputs(): string[] {
  const config = ts.parseConfigFileTextToJson('tsconfig.build.json', read('tsconfig.build.json')).config as { extends?: string; include: string[] };
  const inputs = new Set(['package.json', 'package-lock.json', 'tsconfig.build.json', ...config.include]);
  if (config.extends) inputs.add(relative(ROOT, resolve(ROOT, config.extends)));
  for (const file of config.include.flatMap((entry) => sourceFiles(join(ROOT, entry)))) {
    for (const ref of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (!ref.fileName.startsWith('.')) continue;
      const target = relative(ROOT, resolve(dirname(file), ref.fileName.replace(/\.js$/, '.ts')));
      inputs.add(target.split('/')[0]!);
    }
  }
  return [...inputs].sort();
}

let build: ImageBuild;

beforeAll(() => {
  const pkg = JSON.parse(read('package.json')) as { bin: { proxybench: string } };
  build = { dockerfile: read('Dockerfile'), dockerignore: read('.dockerignore'), buildInputs: buildInputs(), binPath: pkg.bin.proxybench };
});

describe('Dockerfile', () => {
  it('keeps the image rules: lints clean, node 24 slim, not root, npm ci, every build input copied, the bin as entry point', () => {
    expect(build.buildInputs).toEqual(expect.arrayContaining(['core', 'harness', 'reports', 'index.ts', 'tsconfig.json', 'package-lock.json']));
    expect(build.buildInputs.some((p) => p.startsWith('..') || p.startsWith('test'))).toBe(false);
    expect(dockerfileProblems(build)).toEqual([]);
    expect(build.dockerfile).toMatch(/^USER node$/m);
    expect(build.dockerfile).toMatch(/^ENTRYPOINT \["node", "\/app\/dist\/harness\/cli\/main\.js"\]$/m);
  });

  /** Each case breaks one rule on a copy; the checks must name it. */
  const breaks: readonly { rule: string; edit: (b: ImageBuild) => ImageBuild; problem: string }[] = [
    { rule: 'an older Node', edit: (b) => dockerfile(b, (d) => d.replace(/^FROM node:24-bookworm-slim$/m, 'FROM node:22-slim')), problem: 'FROM node:22-slim: every stage must be node:24-slim' },
    { rule: 'a full (not slim) base', edit: (b) => dockerfile(b, (d) => d.replace('FROM node:24-bookworm-slim AS build', 'FROM node:24 AS build')), problem: 'FROM node:24: every stage' },
    { rule: 'no USER', edit: (b) => dockerfile(b, (d) => d.replace(/^USER node$/m, '')), problem: 'must set a USER that is not root' },
    { rule: 'USER root', edit: (b) => dockerfile(b, (d) => d.replace(/^USER node$/m, 'USER root')), problem: 'USER root: the image must not run as root' },
    { rule: 'USER after ENTRYPOINT', edit: (b) => dockerfile(b, (d) => `${d.replace(/^USER node$/m, '')}USER node\n`), problem: 'USER node must come before ENTRYPOINT' },
    { rule: 'npm install', edit: (b) => dockerfile(b, (d) => d.replace('RUN npm ci --ignore-scripts', 'RUN npm install')), problem: 'RUN npm install: use npm ci' },
    { rule: 'dev dependencies in the image', edit: (b) => dockerfile(b, (d) => d.replace('npm ci --omit=dev', 'npm ci')), problem: 'npm ci --omit=dev' },
    { rule: 'an ADD of a URL', edit: (b) => dockerfile(b, (d) => d.replace(/^USER node$/m, 'ADD https://example.com/tool.tgz /tmp/\nUSER node')), problem: 'no ADD of a URL' },
    { rule: 'a source folder not copied', edit: (b) => dockerfile(b, (d) => d.replace(/^COPY core \.\/core\n/m, '')), problem: 'core is read by the build but not copied into stage build' },
    { rule: 'a source folder ignored', edit: (b) => ({ ...b, dockerignore: `${b.dockerignore}reports\n` }), problem: ".dockerignore's reports excludes reports" },
    { rule: 'npx as the entry point', edit: (b) => dockerfile(b, (d) => d.replace(/^ENTRYPOINT .*$/m, 'ENTRYPOINT ["npx", "proxybench"]')), problem: 'ENTRYPOINT must be ["node", "/app/dist/harness/cli/main.js"]' },
    { rule: 'a shell-form entry point', edit: (b) => dockerfile(b, (d) => d.replace(/^ENTRYPOINT .*$/m, 'ENTRYPOINT node /app/dist/harness/cli/main.js')), problem: 'in exec form, is []' },
    { rule: 'another CMD', edit: (b) => dockerfile(b, (d) => d.replace(/^CMD .*$/m, 'CMD ["run"]')), problem: 'CMD must be ["--help"], is ["run"]' },
    { rule: 'a syntax error', edit: (b) => dockerfile(b, (d) => d.replace('COPY bench ./bench', 'COPPY bench ./bench')), problem: 'Unknown instruction: COPPY' },
  ];

  it.each(breaks)('a Dockerfile with $rule fails the checks', ({ edit, problem }) => {
    expect(dockerfileProblems(edit(build)).join('\n')).toContain(problem);
  });
});

/** `b` with its Dockerfile edited; fails when the edit changed nothing (the case would prove nothing). */
function dockerfile(b: ImageBuild, edit: (text: string) => string): ImageBuild {
  const text = edit(b.dockerfile);
  if (text === b.dockerfile) throw new Error('the edit did not change the Dockerfile');
  return { ...b, dockerfile: text };
}
