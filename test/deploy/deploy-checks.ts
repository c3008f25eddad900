import type { IService } from 'kubernetes-models/v1/Service';
import type { KubeObject } from './kube-manifests.js';
import { commandLine, containers, flagValue, ownerName, podSpecs, variableReferences } from './pod-parts.js';
import { mergeJobProblems, shardJobProblems } from './shard-job-checks.js';

/**
 * Everything the sharded run on Kubernetes depends on beyond each object's schema
 * (docs/kubernetes.md), as one list of problems, empty when the manifests hold together.
 *
 * @param externalConfigMaps ConfigMaps the user makes with kubectl (docs/kubernetes.md), which a
 *   pod may mount although no manifest defines them
 */
export function manifestProblems(objects: readonly KubeObject[], externalConfigMaps: readonly string[]): string[] {
  const shard = shardJobProblems(objects);
  return [
    ...shard.problems,
    ...(shard.layout ? mergeJobProblems(objects, shard.layout) : []),
    ...(shard.layout ? sharedClaimProblems(objects, shard.layout.reportsClaim) : []),
    ...targetsProblems(objects),
    ...imageProblems(objects),
    ...variableProblems(objects),
    ...configMapProblems(objects, externalConfigMaps),
    ...securityProblems(objects),
  ];
}

/**
 * The targets Deployment (`proxybench targets`) listens on every interface, on fixed ports, and
 * advertises the name of a Service that selects its pods and exposes each of those ports as itself
 * (the URLs it prints carry the port it listens on), through a containerPort of the same number.
 */
export function targetsProblems(objects: readonly KubeObject[]): string[] {
  const found = objects.flatMap((o) => (o.kind === 'Deployment' ? [o] : [])).filter((o) => o.value.spec?.template.spec?.containers.some((c) => commandLine(c)[0] === 'targets'));
  if (found.length !== 1) return [`expected one Deployment running \`proxybench targets\`, found ${found.length}`];
  const deployment = found[0]!;
  const owner = ownerName(deployment);
  const template = deployment.value.spec!.template;
  const container = template.spec!.containers.find((c) => commandLine(c)[0] === 'targets')!;
  const line = commandLine(container);
  const problems: string[] = [];
  if (flagValue(line, '--host') !== '0.0.0.0') problems.push(`${owner}: --host must be 0.0.0.0 so the proxy can reach the targets from other pods, is ${String(flagValue(line, '--host'))}`);
  const advertise = flagValue(line, '--advertise') ?? '';
  const service = objects.flatMap((o) => (o.kind === 'Service' ? [o] : [])).find((s) => advertise === s.value.metadata?.name || advertise.startsWith(`${String(s.value.metadata?.name)}.`));
  if (!service) return [...problems, `${owner}: --advertise ${advertise} names no Service of these manifests`];
  const labels = template.metadata?.labels ?? {};
  const selector = Object.entries(service.value.spec?.selector ?? {});
  if (selector.length === 0 || selector.some(([k, v]) => labels[k] !== v)) problems.push(`${ownerName(service)}: its selector must pick ${owner}'s pods`);
  const ports = line.flatMap((word, i) => (/^--[a-z-]+-port$/.test(word) ? [{ flag: word, port: Number(line[i + 1]) }] : []));
  if (ports.length === 0) problems.push(`${owner}: the targets need fixed ports (--http-port …) for the Service to expose`);
  for (const { flag, port } of ports) problems.push(...servicePortProblems(ownerName(service), service.value, container.ports ?? [], flag, port));
  const exposed = (service.value.spec?.ports ?? []).map((p) => p.port);
  const extra = exposed.filter((p) => !ports.some((f) => f.port === p));
  if (extra.length > 0) problems.push(`${ownerName(service)}: exposes port(s) ${extra.join(', ')} that no --*-port of ${owner} fixes`);
  return problems;
}

/** The Service exposes `port` as itself, and its targetPort reaches a containerPort `port`. */
function servicePortProblems(owner: string, service: IService, containerPorts: readonly { name?: string; containerPort: number }[], flag: string, port: number): string[] {
  const entry = service.spec?.ports?.find((p) => p.port === port);
  if (!entry) return [`${owner}: must expose ${flag} ${port} as port ${port}, exposes ${(service.spec?.ports ?? []).map((p) => p.port).join(', ')}`];
  const target = entry.targetPort ?? entry.port;
  const reached = containerPorts.find((c) => (typeof target === 'string' ? c.name === target : c.containerPort === target));
  return reached?.containerPort === port ? [] : [`${owner}: port ${port} (targetPort ${String(target)}) does not reach containerPort ${port} of the targets`];
}

/** The claim the shards and the merge share must be mountable by pods on several nodes at once. */
function sharedClaimProblems(objects: readonly KubeObject[], claim: string): string[] {
  const pvc = objects.find((o) => o.kind === 'PersistentVolumeClaim' && o.value.metadata?.name === claim);
  if (!pvc || pvc.kind !== 'PersistentVolumeClaim') return [`the reports claim ${claim} is defined by no manifest`];
  return pvc.value.spec?.accessModes?.includes('ReadWriteMany') ? [] : [`${ownerName(pvc)}: shards on several nodes write to it: accessModes must include ReadWriteMany`];
}

/** One image for every container: the targets, the shards and the merge are one build of proxybench. */
export function imageProblems(objects: readonly KubeObject[]): string[] {
  const images = new Set(containers(objects).map((c) => c.container.image));
  return images.size === 1 ? [] : [`every container must run the same image, found: ${[...images].map(String).join(', ')}`];
}

/** Every `$(NAME)` in a command line names a variable of the container's env (else Kubernetes leaves it as is). */
export function variableProblems(objects: readonly KubeObject[]): string[] {
  return containers(objects).flatMap(({ owner, container }) => {
    const defined = new Set((container.env ?? []).map((e) => e.name));
    const missing = commandLine(container).flatMap(variableReferences).filter((name) => !defined.has(name));
    return missing.map((name) => `${owner}: container ${container.name} uses $(${name}), which its env does not define`);
  });
}

/** Each ConfigMap a pod reads exists (in these manifests or made by the user) and has the keys read. */
export function configMapProblems(objects: readonly KubeObject[], externalConfigMaps: readonly string[]): string[] {
  const defined = new Map(objects.flatMap((o) => (o.kind === 'ConfigMap' ? [[o.value.metadata?.name ?? '', o.value.data ?? {}] as const] : [])));
  const problems: string[] = [];
  for (const { owner, container } of containers(objects)) {
    for (const env of container.env ?? []) {
      const ref = env.valueFrom?.configMapKeyRef;
      if (!ref) continue;
      const data = defined.get(ref.name ?? '');
      if (!data || !(ref.key in data)) problems.push(`${owner}: env ${env.name} reads key ${ref.key} of ConfigMap ${String(ref.name)}, which no manifest defines`);
    }
  }
  for (const { owner, spec } of podSpecs(objects)) {
    for (const volume of spec.volumes ?? []) {
      const name = volume.configMap?.name ?? '';
      if (volume.configMap && !defined.has(name) && !externalConfigMaps.includes(name)) problems.push(`${owner}: mounts ConfigMap ${name}, which neither a manifest nor docs/kubernetes.md makes`);
    }
  }
  return problems;
}

/** Pods run as the image's unprivileged user, and no container may gain privileges. */
export function securityProblems(objects: readonly KubeObject[]): string[] {
  const problems: string[] = [];
  for (const { owner, spec } of podSpecs(objects)) {
    const context = spec.securityContext;
    if (context?.runAsNonRoot !== true || context.runAsUser === 0) problems.push(`${owner}: pods must run with runAsNonRoot: true (and no runAsUser 0)`);
    for (const container of spec.containers) {
      if (container.securityContext?.allowPrivilegeEscalation !== false) problems.push(`${owner}: container ${container.name} must set allowPrivilegeEscalation: false`);
    }
  }
  return problems;
}
