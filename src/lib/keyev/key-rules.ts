import { UsageError } from '../errors/gwctl-error.js';
import { quote } from '../ui/printable.js';

const CONFIGMAP_KEY = /^[-._a-zA-Z0-9]+$/;

/** Kubernetes' ConfigMap key rule (IsConfigMapKey): `[-._a-zA-Z0-9]+`, at most 253 characters, not `.`/`..`. */
export function configMapKeyProblem(key: string): string | undefined {
  if (key.length === 0) return 'a ConfigMap key cannot be empty';
  if (key.length > 253) return `a ConfigMap key is at most 253 characters (this one has ${key.length})`;
  if (!CONFIGMAP_KEY.test(key)) return "a ConfigMap key may only contain letters, digits, '-', '_' and '.'";
  if (key === '.' || key === '..' || key.startsWith('..'))
    return "a ConfigMap key cannot be '.' or '..' or start with '..'";
  return undefined;
}

/**
 * A UTF-16 surrogate with no partner: not a character, and not encodable as UTF-8 (Firestore ids and
 * strings must be valid UTF-8; the client would silently send U+FFFD in its place). With the `u` flag a
 * paired surrogate is one code point outside \p{Cs}, so only lone ones match.
 */
export const LONE_SURROGATE = /\p{Cs}/u;

/** Firestore's reserved names: `__.*__` matched over the whole string, line terminators (\r, U+2028) included. */
export const RESERVED_NAME = /^__.*__$/su;

/**
 * Firestore document (and collection) id rules
 * (https://firebase.google.com/docs/firestore/quotas#collections_documents_and_fields): valid UTF-8, at
 * most 1500 bytes, no `/`, not `.` or `..`, not matching `__.*__`.
 */
export function firestoreIdProblem(key: string, what = 'document id'): string | undefined {
  if (key.length === 0) return `a Firestore ${what} cannot be empty`;
  if (LONE_SURROGATE.test(key))
    return `a Firestore ${what} must be valid UTF-8, and this one holds a lone UTF-16 surrogate`;
  if (key.includes('/')) return `a Firestore ${what} cannot contain '/'`;
  if (key === '.' || key === '..') return `a Firestore ${what} cannot be '.' or '..'`;
  if (RESERVED_NAME.test(key)) return `Firestore reserves ${what}s of the form __…__`;
  if (Buffer.byteLength(key) > 1500) return `a Firestore ${what} is at most 1500 bytes`;
  return undefined;
}

/** Throws the clear refusal for a key the backend cannot hold. */
export function assertKey(key: string, problem: string | undefined, where: string): void {
  if (problem)
    throw new UsageError(
      `keyev key ${quote(key)} cannot be stored in ${where}: ${problem}; choose another key (gwctl never rewrites keys)`,
    );
}
