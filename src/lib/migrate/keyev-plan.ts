import { LONE_SURROGATE } from '../keyev/key-rules.js';
import type { KeyevBackend } from '../keyev/store.js';
import { canonicalValueString } from './canonical-value.js';
import { describeType } from './plain-value.js';
import { LEGACY_RENAMES } from './rename.js';

/** One `configitems` document as read from MongoDB: `{key, value}` plus its `_id` for messages. */
export interface ConfigItem {
  id: string;
  key: unknown;
  value: unknown;
}

export type KeyevAction = 'create' | 'unchanged' | 'conflict' | 'invalid';

export interface KeyevPlanItem {
  /** The keyev key (after --rename). */
  key: string;
  /** The MongoDB key it comes from, when renamed or invalid. */
  sourceKey: string;
  action: KeyevAction;
  /** The value to write (canonical JSON when stringified). */
  value?: string;
  /** What keyev holds now (unchanged and conflict). */
  current?: string;
  stringified?: boolean;
  /** Why an invalid item cannot be migrated. */
  reason?: string;
}

/** The keyev migration as a value: printed, serialised with --json, applied, tested. */
export interface KeyevPlan {
  source: { where: string; database: string; collection: string; documents: number };
  target: { backend: KeyevBackend; where: string };
  rename: Record<string, string>;
  stringify: boolean;
  items: KeyevPlanItem[];
  counts: Record<KeyevAction, number>;
  warnings: string[];
}

export interface KeyevPlanInput {
  items: readonly ConfigItem[];
  /** Everything keyev holds now. */
  target: ReadonlyMap<string, string>;
  /** The target backend's key rule. */
  keyProblem: (key: string) => string | undefined;
  rename?: Readonly<Record<string, string>>;
  stringify?: boolean;
  source: KeyevPlan['source'];
  targetInfo: KeyevPlan['target'];
}

/** Decides, key by key, what the migration would do. Pure: no I/O. */
export function planKeyevMigration(input: KeyevPlanInput): KeyevPlan {
  const rename = { ...(input.rename ?? {}) };
  const stringify = input.stringify ?? false;
  const invalid: KeyevPlanItem[] = [];
  const byKey = new Map<string, KeyevPlanItem[]>();

  for (const doc of input.items) {
    if (typeof doc.key !== 'string') {
      invalid.push({
        key: `_id:${doc.id}`,
        sourceKey: `_id:${doc.id}`,
        action: 'invalid',
        reason: `document _id ${doc.id} has ${describeType(doc.key)} "key" field, not a string`,
      });
      continue;
    }
    const key = rename[doc.key] ?? doc.key;
    const base = { key, sourceKey: doc.key };
    if (doc.value === undefined) {
      invalid.push({ ...base, action: 'invalid', reason: 'the document has no "value" field' });
      continue;
    }
    if (typeof doc.value !== 'string' && !stringify) {
      invalid.push({
        ...base,
        action: 'invalid',
        reason: `the value is ${describeType(doc.value)}, not a string; pass --stringify to store it as canonical JSON`,
      });
      continue;
    }
    const problem = input.keyProblem(key);
    if (problem) {
      invalid.push({
        ...base,
        action: 'invalid',
        reason: `${problem}${key === doc.key ? '; map it with --rename' : ''}`,
      });
      continue;
    }
    const stringified = typeof doc.value !== 'string';
    const value = stringified ? canonicalValueString(doc.value) : (doc.value as string);
    if (LONE_SURROGATE.test(value)) {
      invalid.push({
        ...base,
        action: 'invalid',
        reason:
          'the value is not valid UTF-8 (it holds a lone UTF-16 surrogate); keyev would store U+FFFD in its place',
      });
      continue;
    }
    byKey.set(key, [
      ...(byKey.get(key) ?? []),
      { ...base, action: 'create', value, ...(stringified ? { stringified } : {}) },
    ]);
  }

  const items: KeyevPlanItem[] = [...invalid];
  for (const [key, candidates] of byKey) {
    const values = new Set(candidates.map((c) => c.value));
    if (values.size > 1) {
      const from = candidates.map((c) => c.sourceKey).join(', ');
      items.push({
        key,
        sourceKey: from,
        action: 'invalid',
        reason: `several documents (keys ${from}) give ${key} different values; remove or rename one in MongoDB first`,
      });
      continue;
    }
    const item = candidates[0];
    const current = input.target.get(key);
    if (current === undefined) items.push(item);
    else items.push({ ...item, action: current === item.value ? 'unchanged' : 'conflict', current });
  }
  items.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

  const counts = { create: 0, unchanged: 0, conflict: 0, invalid: 0 };
  for (const item of items) counts[item.action]++;
  return {
    source: input.source,
    target: input.targetInfo,
    rename,
    stringify,
    items,
    counts,
    warnings: legacyWarnings(input.items, rename),
  };
}

/** A legacy key migrated under its old name would be invisible to a gateway that reads the new one. */
function legacyWarnings(items: readonly ConfigItem[], rename: Record<string, string>): string[] {
  return Object.entries(LEGACY_RENAMES)
    .filter(([legacy]) => !(legacy in rename) && items.some((i) => i.key === legacy))
    .map(
      ([legacy, current]) =>
        `MongoDB holds the legacy key ${legacy}; the gateway reads ${current}: pass --rename ${legacy}=${current} to migrate it under the new name`,
    );
}

/** The plan step writing one key: the dry run shows it, the audit outcome lists it once it reads back. */
export const keyevStep = (key: string) => `keyev/${key}`;
