import { createHash } from 'node:crypto';
import { listKeyFor, SET_LISTS } from './merge-keys.js';
import { sameQuantity } from './quantity.js';

/** One field where the live object is not what the manifest says. `undefined` means absent. */
export interface FieldDiff {
  /** `spec.template.spec.containers[name=poweb].image`, `data[GATEWAY_VERSION]`. */
  path: string;
  code: unknown;
  live: unknown;
}

type Fields = Record<string, unknown>;

/** Never compared: identity (already matched), and what only the server writes. */
const SERVER_METADATA = new Set([
  'name',
  'namespace',
  'generateName',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
  'ownerReferences',
]);

/** Labels the API server puts on objects by itself. */
const SERVER_LABELS = new Set(['kubernetes.io/metadata.name']);

/** Maps whose every key is content: a key the manifest does not have is drift too. */
const CLOSED_MAPS = new Set(['data', 'binaryData', 'stringData', 'metadata.labels']);

/** Fields holding resource quantities (`500m` = `0.5`, `1Gi` = `1024Mi`). */
const QUANTITY_FIELDS = new Set(['requests', 'limits', 'capacity', 'hard', 'allocatable', 'overhead', 'sizeLimit']);

const isObject = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Go's zero values: an API server omits them, so a manifest stating one matches an absent field. */
function isZero(v: unknown): boolean {
  if (v === false || v === 0 || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  return isObject(v) && Object.values(v).every((x) => x === undefined || x === null || isZero(x));
}

/**
 * The fields a manifest sets, compared with the live object as `kubectl diff` would see them after a
 * server-side apply: only what the manifest states counts, so server defaults and status never show.
 * Lists with merge keys are matched by key (an item the manifest lacks is drift), other lists item by
 * item; `data`, `binaryData` and labels are compared whole (an extra key is drift), annotations only
 * for the keys the manifest sets (controllers write their own). A Secret's values are never returned:
 * only their SHA-256.
 */
export function compareObject(manifest: Fields, live: Fields): FieldDiff[] {
  const out: FieldDiff[] = [];
  const m = manifest.kind === 'Secret' ? foldStringData(manifest) : manifest;
  for (const [key, code] of Object.entries(m)) {
    if (key === 'apiVersion' || key === 'kind' || key === 'status') continue;
    if (key === 'metadata' && isObject(code)) compareMetadata(code, isObject(live.metadata) ? live.metadata : {}, out);
    else compareValue(key, key, code, live[key], out);
  }
  return manifest.kind === 'Secret' ? out.map(hideSecretValues) : out;
}

function compareMetadata(code: Fields, live: Fields, out: FieldDiff[]): void {
  for (const [key, value] of Object.entries(code)) {
    if (SERVER_METADATA.has(key)) continue;
    if (key === 'labels' && isObject(value)) {
      const liveLabels = Object.fromEntries(
        Object.entries(isObject(live.labels) ? live.labels : {}).filter(([k]) => !SERVER_LABELS.has(k)),
      );
      compareValue('metadata.labels', 'labels', value, liveLabels, out);
    } else compareValue(`metadata.${key}`, key, value, live[key], out);
  }
}

function compareValue(path: string, field: string, code: unknown, live: unknown, out: FieldDiff[]): void {
  if (code === null || code === undefined) return;
  if (live === undefined || live === null) {
    if (!isZero(code)) out.push({ path, code, live: undefined });
    return;
  }
  if (Array.isArray(code)) return compareList(path, field, code, live, out);
  if (isObject(code)) {
    if (!isObject(live)) return void out.push({ path, code, live });
    for (const [key, value] of Object.entries(code)) compareValue(child(path, key), key, value, live[key], out);
    if (CLOSED_MAPS.has(path))
      for (const [key, value] of Object.entries(live))
        if (!(key in code) && value !== undefined) out.push({ path: child(path, key), code: undefined, live: value });
    return;
  }
  if (!sameScalar(code, live, path)) out.push({ path, code, live });
}

function compareList(path: string, field: string, code: unknown[], live: unknown, out: FieldDiff[]): void {
  if (!Array.isArray(live)) return void out.push({ path, code, live });
  if (SET_LISTS.has(field)) {
    if (code.some((c) => !live.some((l) => sameScalar(c, l, path)))) out.push({ path, code, live });
    return;
  }
  const key = listKeyFor(field);
  const codeItems = code.filter(isObject);
  const liveItems = live.filter(isObject);
  const keyed =
    key &&
    codeItems.length === code.length &&
    liveItems.length === live.length &&
    [...codeItems, ...liveItems].every((i) => key.of(i) !== undefined);
  if (key && keyed) {
    const label = key.label([...codeItems, ...liveItems]);
    const byKey = new Map(liveItems.map((i) => [key.of(i)!, i]));
    const wanted = new Set<string>();
    for (const item of codeItems) {
      const k = key.of(item)!;
      wanted.add(k);
      const at = `${path}[${label}=${k}]`;
      const match = byKey.get(k);
      if (match) compareValue(at, field, item, match, out);
      else out.push({ path: at, code: item, live: undefined });
    }
    for (const item of liveItems) {
      const k = key.of(item)!;
      if (!wanted.has(k)) out.push({ path: `${path}[${label}=${k}]`, code: undefined, live: item });
    }
    return;
  }
  if (code.length !== live.length) return void out.push({ path, code, live });
  code.forEach((item, i) => compareValue(`${path}[${i}]`, field, item, live[i], out));
}

function sameScalar(code: unknown, live: unknown, path: string): boolean {
  if (code === live) return true;
  const kinds = new Set([typeof code, typeof live]);
  if ([...kinds].every((k) => k === 'number' || k === 'string')) {
    // int-or-string (a port given as "8080"), then quantities where the field holds one.
    if (String(code) === String(live)) return true;
    if (isQuantityPath(path)) return sameQuantity(code, live);
  }
  return false;
}

function isQuantityPath(path: string): boolean {
  return path.split(/[.[\]]/).some((segment) => QUANTITY_FIELDS.has(segment));
}

/** `labels[app.kubernetes.io/name]` for keys that are not plain identifiers. */
const child = (path: string, key: string) =>
  /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${key}]`;

/** `stringData` is write-only: the server folds it into base64 `data`, so that is what is compared. */
function foldStringData(secret: Fields): Fields {
  if (!isObject(secret.stringData)) return secret;
  const data: Fields = { ...(isObject(secret.data) ? secret.data : {}) };
  for (const [k, v] of Object.entries(secret.stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
  const { stringData: _folded, ...rest } = secret;
  return { ...rest, data };
}

/** A Secret's value as it may be shown: its SHA-256, enough to tell two values apart. */
export const secretDigest = (value: unknown) =>
  value === undefined
    ? undefined
    : `sha256:${createHash('sha256')
        .update(typeof value === 'string' ? value : JSON.stringify(value))
        .digest('hex')
        .slice(0, 16)}…`;

function hideSecretValues(d: FieldDiff): FieldDiff {
  if (!/^(data|stringData)\b/.test(d.path)) return d;
  if (d.path === 'data' || d.path === 'stringData') {
    const hide = (v: unknown) =>
      isObject(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, secretDigest(x)])) : secretDigest(v);
    return { ...d, code: hide(d.code), live: hide(d.live) };
  }
  return { ...d, code: secretDigest(d.code), live: secretDigest(d.live) };
}
