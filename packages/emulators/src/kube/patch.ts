import { applyJsonPatch, PatchError } from './json-patch.js';
import { applyMergePatch } from './merge-patch.js';
import { applyStrategicMergePatch } from './strategic-merge-patch.js';

export const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

export type PatchType = (typeof PATCH_TYPES)[keyof typeof PATCH_TYPES];

export function patchTypeOf(contentType: string | undefined): PatchType | undefined {
  const t = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return (Object.values(PATCH_TYPES) as string[]).includes(t) ? (t as PatchType) : undefined;
}

/**
 * Applies a patch body to an object. Server-side apply is approximated as a strategic merge
 * (no field ownership, no conflicts); the caller creates the object when it is missing.
 */
export function applyPatch(type: PatchType, target: unknown, patch: unknown): unknown {
  switch (type) {
    case PATCH_TYPES.json:
      return applyJsonPatch(target, patch);
    case PATCH_TYPES.merge:
      if (Array.isArray(patch)) throw new PatchError('merge patch must be a JSON object');
      return applyMergePatch(target, patch);
    case PATCH_TYPES.strategic:
    case PATCH_TYPES.apply:
      if (Array.isArray(patch)) throw new PatchError('strategic merge patch must be a JSON object');
      return applyStrategicMergePatch(target, patch);
  }
}

export { PatchError };
