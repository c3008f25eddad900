import { isDeepStrictEqual } from 'node:util';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { KubeObject } from './kube-manifests.js';
import { commandLine, cpuCores, flagValue, mountPathOf, ownerName } from './pod-parts.js';

/** The annotation (or, on newer clusters, label) holding a pod's completion index in an Indexed Job. */
const INDEX_KEY = 'batch.kubernetes.io/job-completion-index';

/** What the merge Job must agree with: the shard count, where shards write, and on which claim. */
export interface ShardLayout {
  readonly owner: string;
  readonly shardCount: number;
  /** `--out` of a shard, with `$(JOB_COMPLETION_INDEX)` in it, e.g. `/reports/shard-$(JOB_COMPLETION_INDEX).json`. */
  readonly outTemplate: string;
  readonly reportsClaim: string;
  readonly reportsMount: string;
}

/** The one Job of `objects` whose container runs `proxybench <command>`. */
function jobsRunning(objects: readonly KubeObject[], command: string): { object: KubeObject; job: IJob; spec: IPodSpec; container: IContainer }[] {
  return objects.flatMap((object) => {
    if (object.kind !== 'Job' || !object.value.spec?.template.spec) return [];
    const spec = object.value.spec.template.spec;
    const container = spec.containers.find((c) => commandLine(c)[0] === command);
    return container ? [{ object, job: object.value, spec, container }] : [];
  });
}

/** The claim name and mount path of the first PersistentVolumeClaim volume `container` mounts. */
function reportsVolume(spec: IPodSpec, container: IContainer): { claim: string; mount: string } | undefined {
  for (const volume of spec.volumes ?? []) {
    const claim = volume.persistentVolumeClaim?.claimName;
    const mount = container.volumeMounts?.find((m) => m.name === volume.name)?.mountPath;
    if (claim && mount) return { claim, mount };
  }
  return undefined;
}

/**
 * The design the sharded run depends on (docs/kubernetes.md), for the one Job running `proxybench
 * run`: an Indexed Job whose pods all run at once, never re-run (a re-run shard would measure
 * another span of time), each taking shard `$(JOB_COMPLETION_INDEX)/completions` from one START_AT
 * every pod reads from a ConfigMap, the shared targets from a mounted file, its report written to
 * the shared claim, on one whole core of its own. Returns the problems and, when the Job was
 * found, the layout the merge Job must match.
 */
export function shardJobProblems(objects: readonly KubeObject[]): { problems: string[]; layout?: ShardLayout } {
  const found = jobsRunning(objects, 'run');
  if (found.length !== 1) return { problems: [`expected one Job running \`proxybench run\`, found ${found.length}`] };
  const { object, job, spec, container } = found[0]!;
  const owner = ownerName(object);
  const problems: string[] = [];
  const n = job.spec?.completions;
  if (job.spec?.completionMode !== 'Indexed') problems.push(`${owner}: completionMode must be Indexed, is ${job.spec?.completionMode ?? 'unset (NonIndexed)'}`);
  if (n === undefined || n === null || !Number.isInteger(n) || n < 2) problems.push(`${owner}: completions must be the shard count (2 or more), is ${String(n)}`);
  if (job.spec?.parallelism !== n) problems.push(`${owner}: parallelism (${String(job.spec?.parallelism)}) must equal completions (${String(n)}) so every shard runs at once`);
  if (job.spec?.backoffLimitPerIndex !== 0) problems.push(`${owner}: backoffLimitPerIndex must be 0 (a re-run shard measures another span of time), is ${String(job.spec?.backoffLimitPerIndex)}`);
  if (spec.restartPolicy !== 'Never') problems.push(`${owner}: restartPolicy must be Never, is ${String(spec.restartPolicy)}`);
  if (container.command) problems.push(`${owner}: the shard container must keep the image's ENTRYPOINT (give args, not command)`);
  const line = commandLine(container);
  const shard = flagValue(line, '--shard');
  if (shard !== `$(JOB_COMPLETION_INDEX)/${String(n)}`) problems.push(`${owner}: --shard must be $(JOB_COMPLETION_INDEX)/${String(n)} (completions), is ${String(shard)}`);
  problems.push(...indexVariableProblems(owner, container), ...startAtProblems(owner, container, line), ...targetsFileProblems(owner, spec, container, line));
  problems.push(...coreProblems(owner, container, line));
  const reports = reportsVolume(spec, container);
  const outTemplate = `${reports?.mount ?? '<no claim mounted>'}/shard-$(JOB_COMPLETION_INDEX).json`;
  const out = flagValue(line, '--out') ?? flagValue(line, '-o');
  if (out !== outTemplate) problems.push(`${owner}: --out must be ${outTemplate} (one file per shard on the shared claim), is ${String(out)}`);
  if (!reports || typeof n !== 'number') return { problems };
  return { problems, layout: { owner, shardCount: n, outTemplate, reportsClaim: reports.claim, reportsMount: reports.mount } };
}

/** JOB_COMPLETION_INDEX, when declared, must be the pod's completion index. */
function indexVariableProblems(owner: string, container: IContainer): string[] {
  const declared = container.env?.find((e) => e.name === 'JOB_COMPLETION_INDEX');
  if (!declared) return [`${owner}: declare JOB_COMPLETION_INDEX in env, so $(JOB_COMPLETION_INDEX) in args expands on any cluster version`];
  const path = declared.valueFrom?.fieldRef?.fieldPath;
  const wanted = [`metadata.annotations['${INDEX_KEY}']`, `metadata.labels['${INDEX_KEY}']`];
  return path !== undefined && wanted.includes(path) ? [] : [`${owner}: JOB_COMPLETION_INDEX must come from ${wanted[0]}, comes from ${String(path ?? declared.value)}`];
}

/** --start-at must be one value for every pod: a variable read from a ConfigMap. */
function startAtProblems(owner: string, container: IContainer, line: readonly string[]): string[] {
  const value = flagValue(line, '--start-at');
  const name = /^\$\(([A-Za-z_][A-Za-z0-9_]*)\)$/.exec(value ?? '')?.[1];
  if (!name) return [`${owner}: --start-at must be $(VAR) with VAR read from a ConfigMap (one time for all shards), is ${String(value)}`];
  const source = container.env?.find((e) => e.name === name)?.valueFrom?.configMapKeyRef;
  return source ? [] : [`${owner}: --start-at's ${name} must come from a ConfigMap (configMapKeyRef), so every shard gets the same time`];
}

/** --targets must name a file of a mounted ConfigMap (the targets' JSON line). */
function targetsFileProblems(owner: string, spec: IPodSpec, container: IContainer, line: readonly string[]): string[] {
  const value = flagValue(line, '--targets');
  if (value === undefined) return [`${owner}: the shards must be given the shared targets with --targets`];
  const mount = mountPathOf(spec, container, (v) => v.configMap !== undefined && v.configMap !== null);
  return mount && value.startsWith(`${mount.replace(/\/$/, '')}/`) ? [] : [`${owner}: --targets ${value} is not a file of a mounted ConfigMap (${String(mount)})`];
}

/** One shard per core: a whole CPU, requests equal to limits, and one worker thread for it. */
function coreProblems(owner: string, container: IContainer, line: readonly string[]): string[] {
  const problems: string[] = [];
  const { requests, limits } = container.resources ?? {};
  if (!requests || !isDeepStrictEqual(requests, limits)) problems.push(`${owner}: resources.requests must equal resources.limits, so shards never fight for CPU`);
  const cores = cpuCores(limits?.cpu ?? undefined);
  if (cores !== 1) problems.push(`${owner}: one shard per core: resources.limits.cpu must be 1, is ${String(limits?.cpu)}`);
  const workers = flagValue(line, '--workers') ?? flagValue(line, '-w');
  if (workers !== String(cores)) problems.push(`${owner}: --workers must be ${String(cores)}, one per core of the pod (the default counts the node's cores), is ${String(workers)}`);
  return problems;
}

/**
 * The Job running `proxybench merge` must read exactly the files the shards write (each listed,
 * none globbed: a missing shard then fails the merge), from the same claim, without
 * --sequential, and run once (its exit code is the gate).
 */
export function mergeJobProblems(objects: readonly KubeObject[], layout: ShardLayout): string[] {
  const found = jobsRunning(objects, 'merge');
  if (found.length !== 1) return [`expected one Job running \`proxybench merge\`, found ${found.length}`];
  const { object, job, spec, container } = found[0]!;
  const owner = ownerName(object);
  const problems: string[] = [];
  const { inputs, flags } = mergeWords(commandLine(container).slice(1));
  const wanted = Array.from({ length: layout.shardCount }, (_, i) => layout.outTemplate.replace('$(JOB_COMPLETION_INDEX)', String(i)));
  if (!isDeepStrictEqual(inputs, wanted)) problems.push(`${owner}: must merge ${wanted.join(' ')} (${layout.owner}'s shards), merges ${inputs.join(' ')}`);
  if (flags.includes('--sequential')) problems.push(`${owner}: shards of one run are merged without --sequential`);
  const output = flagValue(flags, '--output') ?? flagValue(flags, '-o');
  if (!output?.startsWith(`${layout.reportsMount}/`)) problems.push(`${owner}: --output must be on the reports claim (${layout.reportsMount}/), is ${String(output)}`);
  const reports = reportsVolume(spec, container);
  if (reports?.claim !== layout.reportsClaim || reports.mount !== layout.reportsMount) {
    problems.push(`${owner}: must mount claim ${layout.reportsClaim} at ${layout.reportsMount} as the shards do, mounts ${String(reports?.claim)} at ${String(reports?.mount)}`);
  }
  if (job.spec?.backoffLimit !== 0) problems.push(`${owner}: backoffLimit must be 0 (the gate runs once), is ${String(job.spec?.backoffLimit)}`);
  if (spec.restartPolicy !== 'Never') problems.push(`${owner}: restartPolicy must be Never, is ${String(spec.restartPolicy)}`);
  return problems;
}

/** `merge`'s words split into its input files and its flags (with their values). */
function mergeWords(words: readonly string[]): { inputs: string[]; flags: string[] } {
  const inputs: string[] = [];
  const flags: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (!word.startsWith('-')) inputs.push(word);
    else if ((word === '--output' || word === '-o') && i + 1 < words.length) flags.push(word, words[++i]!);
    else flags.push(word);
  }
  return { inputs, flags };
}
