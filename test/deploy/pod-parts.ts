import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { KubeObject } from './kube-manifests.js';

/** A pod spec with the object that holds it, e.g. `Job proxybench-shards`. */
export interface PlacedPodSpec {
  readonly owner: string;
  readonly object: KubeObject;
  readonly spec: IPodSpec;
}

/** A container with the object that holds it. */
export interface PlacedContainer {
  readonly owner: string;
  readonly spec: IPodSpec;
  readonly container: IContainer;
}

/** `Kind name`, as problems name an object. */
export function ownerName(object: KubeObject): string {
  return `${object.kind} ${object.value.metadata?.name ?? '?'} (${object.file})`;
}

/** The pod spec of every Job, Deployment and Pod. */
export function podSpecs(objects: readonly KubeObject[]): PlacedPodSpec[] {
  const placed: PlacedPodSpec[] = [];
  for (const object of objects) {
    const spec = podSpecOf(object);
    if (spec) placed.push({ owner: ownerName(object), object, spec });
  }
  return placed;
}

/** The pod spec `object` runs, if it runs pods. */
export function podSpecOf(object: KubeObject): IPodSpec | undefined {
  switch (object.kind) {
    case 'Job':
      return object.value.spec?.template.spec;
    case 'Deployment':
      return object.value.spec?.template.spec;
    case 'Pod':
      return object.value.spec;
    default:
      return undefined;
  }
}

/** Every container (init containers included) of every pod spec. */
export function containers(objects: readonly KubeObject[]): PlacedContainer[] {
  return podSpecs(objects).flatMap(({ owner, spec }) => [...(spec.initContainers ?? []), ...spec.containers].map((container) => ({ owner, spec, container })));
}

/** What the container runs after the image's ENTRYPOINT: `command` (replacing it) then `args`. */
export function commandLine(container: IContainer): string[] {
  return [...(container.command ?? []), ...(container.args ?? [])];
}

/** The value given to `flag` (`--flag value` or `--flag=value`), or undefined when it is absent. */
export function flagValue(line: readonly string[], flag: string): string | undefined {
  for (let i = 0; i < line.length; i++) {
    const word = line[i]!;
    if (word === flag) return line[i + 1];
    if (word.startsWith(`${flag}=`)) return word.slice(flag.length + 1);
  }
  return undefined;
}

/** The names of the `$(NAME)` references Kubernetes expands in `word` (`$$(NAME)` is an escape). */
export function variableReferences(word: string): string[] {
  return [...word.matchAll(/(?<!\$)\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)].map((m) => m[1]!);
}

/** A CPU quantity (`1`, `"2"`, `"500m"`) in cores, or NaN when it is none of these. */
export function cpuCores(quantity: string | number | undefined): number {
  if (typeof quantity === 'number') return quantity;
  const match = /^(\d+(?:\.\d+)?)(m?)$/.exec(quantity ?? '');
  if (!match) return Number.NaN;
  return Number(match[1]) / (match[2] === 'm' ? 1000 : 1);
}

/** The mount path of the volume of `spec` that `test` picks, in `container`. */
export function mountPathOf(spec: IPodSpec, container: IContainer, test: (volume: NonNullable<IPodSpec['volumes']>[number]) => boolean): string | undefined {
  const volume = (spec.volumes ?? []).find(test);
  return volume ? container.volumeMounts?.find((m) => m.name === volume.name)?.mountPath : undefined;
}
