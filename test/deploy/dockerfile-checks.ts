import { posix } from 'node:path';
import { DockerfileParser, type Copy, type Dockerfile, type Instruction, type JSONInstruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';

/** What the image is built from and must start. */
export interface ImageBuild {
  /** The Dockerfile's text. */
  readonly dockerfile: string;
  /** The .dockerignore's text. */
  readonly dockerignore: string;
  /** Paths (from the repository's root) the TypeScript build reads: each must reach the builder stage. */
  readonly buildInputs: readonly string[];
  /** package.json's `bin.proxybench`, e.g. `dist/harness/cli/main.js`. */
  readonly binPath: string;
}

/** node 24 (LTS), Debian slim: `24-slim`, `24.11-bookworm-slim`, `24.11.1-trixie-slim`. */
const NODE_24_SLIM = /^24(\.\d+){0,2}-((bookworm|trixie)-)?slim$/;

/**
 * The image's rules (docs/kubernetes.md), as one list of problems, empty when it keeps them: it
 * lints clean (dockerfile-utils, the linter of the Docker language server), every stage is Node 24
 * slim, the image runs as a user other than root, nothing is fetched with ADD, dependencies come
 * from the lockfile (`npm ci`, without dev dependencies in the image), every source the build reads
 * reaches the builder, and the entry point is the package's own bin.
 */
export function dockerfileProblems(build: ImageBuild): string[] {
  const dockerfile = DockerfileParser.parse(build.dockerfile);
  const lint = validate(build.dockerfile).map((d) => `Dockerfile line ${d.range.start.line + 1}: ${d.message}`);
  return [...lint, ...baseImageProblems(dockerfile), ...userProblems(dockerfile), ...installProblems(dockerfile), ...inputProblems(dockerfile, build), ...entrypointProblems(dockerfile, build.binPath)];
}

/** Instructions of the last stage (the image itself), from its FROM on. */
function finalStage(dockerfile: Dockerfile): Instruction[] {
  const froms = dockerfile.getFROMs();
  const start = froms[froms.length - 1]?.getRange().start.line ?? 0;
  return dockerfile.getInstructions().filter((i) => i.getRange().start.line >= start);
}

/** Instructions of the stage named `name`. */
function stageNamed(dockerfile: Dockerfile, name: string): Instruction[] {
  const froms = dockerfile.getFROMs();
  const at = froms.findIndex((f) => f.getBuildStage() === name);
  if (at < 0) return [];
  const start = froms[at]!.getRange().start.line;
  const end = froms[at + 1]?.getRange().start.line ?? Number.POSITIVE_INFINITY;
  return dockerfile.getInstructions().filter((i) => i.getRange().start.line >= start && i.getRange().start.line < end);
}

function words(instruction: Instruction): string[] {
  return instruction.getArguments().map((a) => a.getValue());
}

function baseImageProblems(dockerfile: Dockerfile): string[] {
  const stages = new Set<string>();
  const problems: string[] = [];
  for (const from of dockerfile.getFROMs()) {
    const name = from.getImageName() ?? '';
    if (!stages.has(name) && (name !== 'node' || !NODE_24_SLIM.test(from.getImageTag() ?? ''))) {
      problems.push(`FROM ${from.getImage() ?? ''}: every stage must be node:24-slim or node:24-<debian>-slim`);
    }
    const stage = from.getBuildStage();
    if (stage) stages.add(stage);
  }
  if (dockerfile.getFROMs().length === 0) problems.push('no FROM');
  return problems;
}

/** The image's user (the last stage's last USER) is not root, and is set before ENTRYPOINT. */
function userProblems(dockerfile: Dockerfile): string[] {
  const stage = finalStage(dockerfile);
  const users = stage.filter((i) => i.getKeyword() === 'USER');
  const last = users[users.length - 1];
  if (!last) return ['the image must set a USER that is not root (e.g. node); it runs as root'];
  const user = words(last)[0] ?? '';
  if (/^(root|0)(:.*)?$/.test(user)) return [`USER ${user}: the image must not run as root`];
  const entrypoint = stage.find((i) => i.getKeyword() === 'ENTRYPOINT');
  if (entrypoint && entrypoint.getRange().start.line < last.getRange().start.line) return [`USER ${user} must come before ENTRYPOINT`];
  return [];
}

/** No ADD of a URL (unpinned, unverified downloads); `npm ci`, never `npm install`; no dev dependencies in the image. */
function installProblems(dockerfile: Dockerfile): string[] {
  const problems: string[] = [];
  for (const add of dockerfile.getInstructions().filter((i) => i.getKeyword() === 'ADD')) {
    if (words(add).some((w) => /^(https?|ftp|git):\/\/|^git@/.test(w))) problems.push(`ADD ${words(add).join(' ')}: no ADD of a URL`);
  }
  for (const run of dockerfile.getInstructions().filter((i) => i.getKeyword() === 'RUN')) {
    const text = words(run).join(' ');
    if (/\bnpm\s+(install|i|add)\b/.test(text)) problems.push(`RUN ${text}: use npm ci (the lockfile's versions), not npm install`);
  }
  const finalCi = finalStage(dockerfile).filter((i) => i.getKeyword() === 'RUN' && /\bnpm\s+ci\b/.test(words(i).join(' ')));
  if (finalCi.length === 0 || finalCi.some((i) => !words(i).includes('--omit=dev'))) problems.push('the image must install its dependencies with npm ci --omit=dev');
  return problems;
}

/** A .dockerignore pattern as a regular expression over a context path (`*`, `?` within a segment, `**` across). */
function patternRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  // A pattern that names a folder excludes everything under it.
  return new RegExp(`^${source}(/.*)?$`);
}

/** `.dockerignore` patterns (comments and negations aside) that exclude `path` from the build context. */
function ignoredBy(dockerignore: string, path: string): string[] {
  return dockerignore
    .split('\n')
    .map((l) => l.trim().replace(/^\//, '').replace(/\/$/, ''))
    .filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith('!'))
    .filter((pattern) => patternRegExp(pattern).test(path));
}

/** Every build input is copied into the builder stage (the one the image copies dist/ from) and not ignored. */
function inputProblems(dockerfile: Dockerfile, build: ImageBuild): string[] {
  const distCopy = finalStage(dockerfile).find((i): i is Copy => i.getKeyword() === 'COPY' && (i as Copy).getFromFlag() !== null);
  const builder = distCopy?.getFromFlag()?.getValue() ?? '';
  const distDir = build.binPath.split('/')[0]!;
  if (!distCopy || !words(distCopy).slice(0, -1).some((src) => posix.basename(src) === distDir)) return [`the image must COPY --from=<builder> its ${distDir}/`];
  const copied = new Set(stageNamed(dockerfile, builder).filter((i) => i.getKeyword() === 'COPY').flatMap((i) => words(i).slice(0, -1).filter((w) => !w.startsWith('--'))));
  return build.buildInputs.flatMap((input) => [
    ...(copied.has(input) ? [] : [`${input} is read by the build but not copied into stage ${builder}`]),
    ...ignoredBy(build.dockerignore, input).map((pattern) => `.dockerignore's ${pattern} excludes ${input}, which the build reads`),
  ]);
}

/**
 * ENTRYPOINT runs the package's bin with node, in exec form: node is PID 1 and gets the signals
 * itself, and nothing is looked up at start (npx would look for proxybench in the registry, as the
 * package is not in its own node_modules). CMD is --help.
 */
function entrypointProblems(dockerfile: Dockerfile, binPath: string): string[] {
  const stage = finalStage(dockerfile);
  const json = (keyword: string): string[] | undefined => {
    const found = stage.filter((i) => i.getKeyword() === keyword).pop() as JSONInstruction | undefined;
    return found?.getJSONStrings().map((s) => s.getJSONValue());
  };
  const workdir = stage.filter((i) => i.getKeyword() === 'WORKDIR').map((i) => words(i)[0] ?? '/').pop() ?? '/';
  const entrypoint = json('ENTRYPOINT') ?? [];
  const problems: string[] = [];
  const runsBin = entrypoint.length === 2 && entrypoint[0] === 'node' && posix.resolve(workdir, entrypoint[1]!) === posix.resolve(workdir, binPath);
  if (!runsBin) problems.push(`ENTRYPOINT must be ["node", "${posix.resolve(workdir, binPath)}"] in exec form, is ${JSON.stringify(entrypoint)}`);
  const cmd = json('CMD');
  if (JSON.stringify(cmd) !== JSON.stringify(['--help'])) problems.push(`CMD must be ["--help"], is ${JSON.stringify(cmd ?? null)}`);
  return problems;
}
