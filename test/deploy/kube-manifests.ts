import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job, type IJob } from 'kubernetes-models/batch/v1/Job';
import { ConfigMap, type IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim, type IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Pod, type IPod } from 'kubernetes-models/v1/Pod';
import { Service, type IService } from 'kubernetes-models/v1/Service';

/** The folder of the Kubernetes manifests (docs/kubernetes.md). */
export const MANIFEST_DIR = fileURLToPath(new URL('../../deploy/kubernetes/', import.meta.url));

/** One YAML document of a manifest file, as parsed, before any schema check. */
export interface RawManifest {
  readonly file: string;
  /** Position of the document in its file, from 0. */
  readonly index: number;
  readonly value: unknown;
}

/** A manifest that passed its Kubernetes schema, by kind. */
export type KubeObject =
  | { readonly kind: 'Job'; readonly file: string; readonly value: IJob }
  | { readonly kind: 'Deployment'; readonly file: string; readonly value: IDeployment }
  | { readonly kind: 'Service'; readonly file: string; readonly value: IService }
  | { readonly kind: 'ConfigMap'; readonly file: string; readonly value: IConfigMap }
  | { readonly kind: 'PersistentVolumeClaim'; readonly file: string; readonly value: IPersistentVolumeClaim }
  | { readonly kind: 'Pod'; readonly file: string; readonly value: IPod };

/** Outcome of checking one document against its schema. */
export type SchemaVerdict = { readonly ok: true; readonly object: KubeObject } | { readonly ok: false; readonly problem: string };

/**
 * Every YAML document of every `.yaml`/`.yml` file in `dir`, in file order. YAML 1.1 is how
 * Kubernetes reads manifests (`on`, `yes` and `0755` mean what they mean there); a syntax error or
 * a duplicate key throws, naming the file.
 */
export async function readManifests(dir: string = MANIFEST_DIR): Promise<RawManifest[]> {
  const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  const manifests: RawManifest[] = [];
  for (const file of files) {
    const text = await readFile(join(dir, file), 'utf8');
    const docs = parseAllDocuments(text, { version: '1.1' });
    if (!Array.isArray(docs)) continue;
    docs.forEach((doc, index) => {
      if (doc.errors.length > 0) throw new Error(`${file} document ${index}: ${doc.errors.map((e) => e.message).join('; ')}`);
      const value: unknown = doc.toJS();
      if (value !== null && value !== undefined) manifests.push({ file, index, value });
    });
  }
  return manifests;
}

/** The kinds these manifests may hold, each with the model that checks its schema. */
const MODELS: Readonly<Record<string, (file: string, value: unknown) => KubeObject>> = {
  'batch/v1 Job': (file, value) => validated({ kind: 'Job', file, value: value as IJob }, new Job(value as IJob)),
  'apps/v1 Deployment': (file, value) => validated({ kind: 'Deployment', file, value: value as IDeployment }, new Deployment(value as IDeployment)),
  'v1 Service': (file, value) => validated({ kind: 'Service', file, value: value as IService }, new Service(value as IService)),
  'v1 ConfigMap': (file, value) => validated({ kind: 'ConfigMap', file, value: value as IConfigMap }, new ConfigMap(value as IConfigMap)),
  'v1 PersistentVolumeClaim': (file, value) =>
    validated({ kind: 'PersistentVolumeClaim', file, value: value as IPersistentVolumeClaim }, new PersistentVolumeClaim(value as IPersistentVolumeClaim)),
  'v1 Pod': (file, value) => validated({ kind: 'Pod', file, value: value as IPod }, new Pod(value as IPod)),
};

/** Returns `object` once its model's JSON-schema validation passed (it throws otherwise). */
function validated(object: KubeObject, model: { validate(): void }): KubeObject {
  model.validate();
  return object;
}

/**
 * Checks one document against the Kubernetes API schema of its apiVersion and kind (the
 * `kubernetes-models` package: no cluster needed). A kind these manifests are not expected to hold
 * is a problem too, so a new kind comes with its schema check.
 */
export function checkSchema(manifest: RawManifest): SchemaVerdict {
  const where = `${manifest.file} document ${manifest.index}`;
  const value = manifest.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, problem: `${where}: not a mapping` };
  const { apiVersion, kind, metadata } = value as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } };
  const model = MODELS[`${String(apiVersion)} ${String(kind)}`];
  if (!model) return { ok: false, problem: `${where}: no schema check for apiVersion ${String(apiVersion)} kind ${String(kind)}` };
  if (typeof metadata?.name !== 'string' || metadata.name === '') return { ok: false, problem: `${where}: ${String(kind)} has no metadata.name` };
  try {
    return { ok: true, object: model(manifest.file, value) };
  } catch (error) {
    return { ok: false, problem: `${where} (${String(kind)} ${metadata.name}): ${(error as Error).message}` };
  }
}
