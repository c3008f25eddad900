import { readFile } from 'node:fs/promises';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkSchema, readManifests, type KubeObject, type RawManifest } from './kube-manifests.js';
import { manifestProblems } from './deploy-checks.js';
import { commandLine, flagValue } from './pod-parts.js';
import { runCli } from '../support/cli.js';

// deploy/kubernetes/ runs proxybench as an Indexed Job of shards against one shared set of targets
// (docs/kubernetes.md). No cluster is needed to know that a manifest is one the API server accepts
// (each document is checked against the schema of its kind) and that the manifests hold together
// as a sharded run (the checks of deploy-checks.ts); every rule is also shown failing on a copy
// that breaks it.

const DOC = new URL('../../docs/kubernetes.md', import.meta.url);

let raw: RawManifest[];
let objects: KubeObject[];
let externalConfigMaps: string[];

beforeAll(async () => {
  raw = await readManifests();
  objects = raw.flatMap((m) => {
    const verdict = checkSchema(m);
    return verdict.ok ? [verdict.object] : [];
  });
  // ConfigMaps the guide has the user make with kubectl (the targets' JSON line).
  externalConfigMaps = [...new Set([...(await readFile(DOC, 'utf8')).matchAll(/kubectl create configmap ([a-z0-9-]+)/g)].map((m) => m[1]!))];
});

function jobNamed(from: readonly KubeObject[], name: string): IJob {
  const found = from.find((o) => o.kind === 'Job' && o.value.metadata?.name === name);
  if (found?.kind !== 'Job') throw new Error(`no Job ${name}`);
  return found.value;
}

function firstContainer(job: IJob): IContainer {
  return job.spec!.template.spec!.containers[0]!;
}

/** Sets `flag`'s value in `container`'s args (removes the flag when `value` is undefined). */
function setFlag(container: IContainer, flag: string, value: string | undefined): void {
  const args = container.args ?? [];
  const at = args.indexOf(flag);
  if (at < 0) throw new Error(`no ${flag} in args`);
  if (value === undefined) args.splice(at, 2);
  else args[at + 1] = value;
}

describe('Kubernetes manifests (deploy/kubernetes/)', () => {
  it('every document passes the Kubernetes API schema of its kind', () => {
    const problems = raw.map(checkSchema).flatMap((v) => (v.ok ? [] : [v.problem]));
    expect(problems).toEqual([]);
    const kinds = objects.map((o) => `${o.kind} ${o.value.metadata?.name ?? ''}`).sort();
    expect(kinds).toEqual([
      'ConfigMap proxybench-run',
      'Deployment proxybench-targets',
      'Job proxybench-merge',
      'Job proxybench-shards',
      'PersistentVolumeClaim proxybench-reports',
      'Pod proxybench-reports-reader',
      'Service proxybench-targets',
    ]);
  });

  it('the schema check refuses what the API server would refuse', () => {
    const shards = raw.find((m) => m.file === 'job.yaml')!;
    const broken = (edit: (job: { spec: Record<string, unknown> }) => void): string => {
      const value = structuredClone(shards.value) as { spec: Record<string, unknown> };
      edit(value);
      const verdict = checkSchema({ ...shards, value });
      return verdict.ok ? 'accepted' : verdict.problem;
    };
    expect(broken((j) => (j.spec.parallelism = '4'))).toContain('parallelism must be integer');
    expect(broken((j) => (j.spec.completionMode = 'Indxed'))).toContain('completionMode must be equal to one of the allowed values');
    expect(broken((j) => delete j.spec.template)).toContain('data/spec must have required property template');
    expect(checkSchema({ file: 'x.yaml', index: 0, value: { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'x' } } })).toEqual({
      ok: false,
      problem: 'x.yaml document 0: no schema check for apiVersion batch/v1 kind CronJob',
    });
  });

  it('hold together as a sharded run: Indexed Job, one START_AT, shared targets and claim, merge of every shard', () => {
    expect(externalConfigMaps).toEqual(['proxybench-targets']);
    expect(manifestProblems(objects, externalConfigMaps)).toEqual([]);
    const shards = jobNamed(objects, 'proxybench-shards');
    expect(shards.spec?.completionMode).toBe('Indexed');
    expect(shards.spec?.parallelism).toBe(shards.spec?.completions);
    const line = commandLine(firstContainer(shards));
    expect(flagValue(line, '--shard')).toBe(`$(JOB_COMPLETION_INDEX)/${String(shards.spec?.completions)}`);
    expect(flagValue(line, '--start-at')).toBe('$(START_AT)');
    expect(flagValue(line, '--targets')).toBe('/etc/proxybench/targets.json');
    expect(commandLine(firstContainer(jobNamed(objects, 'proxybench-merge')))).toEqual([
      'merge', '/reports/shard-0.json', '/reports/shard-1.json', '/reports/shard-2.json', '/reports/shard-3.json', '--output', '/reports/merged.json',
    ]);
  });

  it("the merge Job's flags are ones the built CLI's `merge --help` lists (its exit code is the gate)", async () => {
    const help = await runCli(['merge', '--help']);
    expect(help.code).toBe(0);
    const flags = commandLine(firstContainer(jobNamed(objects, 'proxybench-merge'))).filter((w) => w.startsWith('-'));
    expect(flags).toEqual(['--output']);
    const listed = (flag: string): RegExp => new RegExp(`(^|\\s)${flag}(\\s|,)`, 'm');
    for (const flag of flags) expect(help.stdout).toMatch(listed(flag));
    // run's spelling, the likely slip in a merge command line, is not merge's
    expect(help.stdout).not.toMatch(listed('--out'));
  });

  /** Each case breaks one rule on a copy of the manifests; the checks must name it. */
  const breaks: readonly { rule: string; edit: (copy: KubeObject[]) => void; problem: string }[] = [
    { rule: 'parallelism below completions', edit: (c) => (jobNamed(c, 'proxybench-shards').spec!.parallelism = 3), problem: 'parallelism (3) must equal completions (4)' },
    { rule: 'not Indexed', edit: (c) => (jobNamed(c, 'proxybench-shards').spec!.completionMode = 'NonIndexed'), problem: 'completionMode must be Indexed' },
    { rule: 'retried shards', edit: (c) => delete jobNamed(c, 'proxybench-shards').spec!.backoffLimitPerIndex, problem: 'backoffLimitPerIndex must be 0' },
    { rule: 'a shard count other than completions', edit: (c) => setFlag(firstContainer(jobNamed(c, 'proxybench-shards')), '--shard', '$(JOB_COMPLETION_INDEX)/3'), problem: '--shard must be $(JOB_COMPLETION_INDEX)/4' },
    { rule: 'no --start-at', edit: (c) => setFlag(firstContainer(jobNamed(c, 'proxybench-shards')), '--start-at', undefined), problem: '--start-at must be $(VAR)' },
    {
      rule: 'a start time each pod reads for itself',
      edit: (c) => {
        const env = firstContainer(jobNamed(c, 'proxybench-shards')).env!.find((e) => e.name === 'START_AT')!;
        env.valueFrom = { fieldRef: { fieldPath: 'metadata.creationTimestamp' } };
      },
      problem: "--start-at's START_AT must come from a ConfigMap",
    },
    { rule: 'no --targets', edit: (c) => setFlag(firstContainer(jobNamed(c, 'proxybench-shards')), '--targets', undefined), problem: 'must be given the shared targets with --targets' },
    { rule: 'targets not from the mounted ConfigMap', edit: (c) => setFlag(firstContainer(jobNamed(c, 'proxybench-shards')), '--targets', '/tmp/targets.json'), problem: 'is not a file of a mounted ConfigMap' },
    { rule: 'every shard writing one file', edit: (c) => setFlag(firstContainer(jobNamed(c, 'proxybench-shards')), '--out', '/reports/shard.json'), problem: '--out must be /reports/shard-$(JOB_COMPLETION_INDEX).json' },
    {
      rule: 'requests below limits',
      edit: (c) => (firstContainer(jobNamed(c, 'proxybench-shards')).resources!.requests!.cpu = '500m'),
      problem: 'resources.requests must equal resources.limits',
    },
    { rule: 'more workers than cores', edit: (c) => setFlag(firstContainer(jobNamed(c, 'proxybench-shards')), '--workers', '4'), problem: '--workers must be 1' },
    {
      rule: 'a merge missing a shard',
      edit: (c) => firstContainer(jobNamed(c, 'proxybench-merge')).args!.splice(4, 1),
      problem: 'must merge /reports/shard-0.json /reports/shard-1.json /reports/shard-2.json /reports/shard-3.json',
    },
    { rule: 'a retried gate', edit: (c) => (jobNamed(c, 'proxybench-merge').spec!.backoffLimit = 6), problem: 'backoffLimit must be 0' },
    {
      rule: 'a Service port the targets do not listen on',
      edit: (c) => {
        const svc = c.find((o) => o.kind === 'Service')!;
        if (svc.kind === 'Service') svc.value.spec!.ports![1]!.port = 443;
      },
      problem: 'must expose --https-port 8443 as port 8443',
    },
    {
      rule: 'advertising a name no Service has',
      edit: (c) => {
        const deployment = c.find((o) => o.kind === 'Deployment')!;
        if (deployment.kind === 'Deployment') setFlag(deployment.value.spec!.template.spec!.containers[0]!, '--advertise', 'targets');
      },
      problem: '--advertise targets names no Service',
    },
    { rule: 'two images', edit: (c) => (firstContainer(jobNamed(c, 'proxybench-merge')).image = 'proxybench:0.0.9'), problem: 'every container must run the same image' },
    { rule: 'an undefined variable', edit: (c) => setFlag(firstContainer(jobNamed(c, 'proxybench-shards')), '--proxy', '$(PROXY)'), problem: 'uses $(PROXY), which its env does not define' },
    { rule: 'running as root', edit: (c) => (jobNamed(c, 'proxybench-shards').spec!.template.spec!.securityContext!.runAsUser = 0), problem: 'runAsNonRoot: true (and no runAsUser 0)' },
  ];

  it.each(breaks)('a manifest with $rule fails the checks', ({ edit, problem }) => {
    const copy = structuredClone(objects);
    edit(copy);
    expect(manifestProblems(copy, externalConfigMaps).join('\n')).toContain(problem);
  });

  it('a ConfigMap neither the manifests nor the guide make is a problem', () => {
    expect(manifestProblems(objects, []).join('\n')).toContain('mounts ConfigMap proxybench-targets, which neither a manifest nor docs/kubernetes.md makes');
  });
});
