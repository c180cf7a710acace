import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { UsageError } from '../errors/gwctl-error.js';

type Fields = Record<string, unknown>;

/** One object a manifest declares, as written (its namespace is settled once the cluster says which kinds have one). */
export interface DeclaredObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  /** `deploy/gateway.yaml#3`: the file and the document's position in it. */
  source: string;
  body: Fields;
}

export interface ManifestSet {
  objects: DeclaredObject[];
  /** Helm hooks and the like: declared, but not meant to stay in the cluster. */
  skipped: { source: string; reason: string }[];
  /** Every file read, with its SHA-256: what the audit record says was compared. */
  files: { path: string; sha256: string }[];
}

const MANIFEST_FILE = /\.(ya?ml|json)$/i;
const isObject = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads rendered manifests (`helm template`, `kustomize build` output): a file, or a directory
 * walked in name order (dot entries skipped, so a mounted ConfigMap's `..data` is read once).
 */
export function readManifests(path: string): ManifestSet {
  const set: ManifestSet = { objects: [], skipped: [], files: [] };
  let files: string[];
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
    files = isDirectory ? manifestFiles(path) : [path];
  } catch (err) {
    throw new UsageError(`${path}: cannot read the manifests (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  if (files.length === 0) throw new UsageError(`${path}: no .yaml, .yml or .json manifests in this directory`);
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    set.files.push({ path: file, sha256: createHash('sha256').update(text).digest('hex') });
    const parsed = parseManifestText(text, isDirectory ? relative(path, file) : file);
    set.objects.push(...parsed.objects);
    set.skipped.push(...parsed.skipped);
  }
  // An empty render is a failed render (a helm error piped to a file), not a namespace meant to be empty.
  if (set.objects.length === 0 && set.skipped.length === 0)
    throw new UsageError(`${path}: no Kubernetes objects in the manifests; check how they were rendered`);
  const seen = new Map<string, string>();
  for (const o of set.objects) {
    const id = `${o.apiVersion}/${o.kind}/${o.namespace ?? ''}/${o.name}`;
    if (seen.has(id))
      throw new UsageError(`${o.source}: ${o.kind} ${o.name} is declared twice (also in ${seen.get(id)})`);
    seen.set(id, o.source);
  }
  return set;
}

function manifestFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.'))
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => {
      const full = join(dir, e.name);
      // A ConfigMap volume's entries are symlinks: follow them.
      if (statSync(full).isDirectory()) return manifestFiles(full);
      return MANIFEST_FILE.test(e.name) ? [full] : [];
    });
}

/**
 * Multi-document YAML (JSON is YAML too) read with YAML 1.1 rules, as Kubernetes' own parser does
 * (`0644` is octal, `yes` a boolean). Empty documents are skipped; `List` kinds are unpacked.
 */
export function parseManifestText(text: string, source: string): Omit<ManifestSet, 'files'> {
  const out: Omit<ManifestSet, 'files'> = { objects: [], skipped: [] };
  parseAllDocuments(text, { version: '1.1' }).forEach((doc, i) => {
    const at = `${source}#${i + 1}`;
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      const line = e.linePos?.[0]?.line;
      throw new UsageError(`${source}${line ? `:${line}` : ''}: invalid YAML: ${e.message.split('\n')[0]}`);
    }
    const value: unknown = doc.toJS({ maxAliasCount: 1000 });
    if (value === null || value === undefined) return;
    collect(value, at, out);
  });
  return out;
}

function collect(value: unknown, at: string, out: Omit<ManifestSet, 'files'>): void {
  if (!isObject(value)) throw new UsageError(`${at}: a manifest must be an object with apiVersion, kind and metadata`);
  if (typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)) {
    value.items.forEach((item, j) => collect(item, `${at}.items[${j}]`, out));
    return;
  }
  const { apiVersion, kind } = value;
  const metadata = isObject(value.metadata) ? value.metadata : {};
  if (typeof apiVersion !== 'string' || typeof kind !== 'string')
    throw new UsageError(`${at}: missing apiVersion or kind`);
  const annotations = isObject(metadata.annotations) ? metadata.annotations : {};
  if (annotations['helm.sh/hook'] !== undefined) {
    out.skipped.push({
      source: at,
      reason: `helm hook (${String(annotations['helm.sh/hook'])}): run by helm, not kept`,
    });
    return;
  }
  if (typeof metadata.name !== 'string' || !metadata.name) {
    if (typeof metadata.generateName === 'string') {
      out.skipped.push({ source: at, reason: `${kind} with generateName: its live name cannot be known` });
      return;
    }
    throw new UsageError(`${at}: ${kind} has no metadata.name`);
  }
  out.objects.push({
    apiVersion,
    kind,
    name: metadata.name,
    ...(typeof metadata.namespace === 'string' && metadata.namespace ? { namespace: metadata.namespace } : {}),
    source: at,
    body: value,
  });
}
