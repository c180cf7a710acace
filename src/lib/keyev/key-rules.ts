import { UsageError } from '../errors/gwctl-error.js';

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

/** Firestore document id rules: no `/`, not `.`/`..`, not `__…__`, at most 1500 bytes. */
export function firestoreIdProblem(key: string): string | undefined {
  if (key.length === 0) return 'a Firestore document id cannot be empty';
  if (key.includes('/')) return "a Firestore document id cannot contain '/'";
  if (key === '.' || key === '..') return "a Firestore document id cannot be '.' or '..'";
  if (/^__.*__$/.test(key)) return 'Firestore reserves document ids of the form __…__';
  if (Buffer.byteLength(key) > 1500) return 'a Firestore document id is at most 1500 bytes';
  return undefined;
}

/** Throws the clear refusal for a key the backend cannot hold. */
export function assertKey(key: string, problem: string | undefined, where: string): void {
  if (problem)
    throw new UsageError(
      `keyev key ${JSON.stringify(key)} cannot be stored in ${where}: ${problem}; choose another key (gwctl never rewrites keys)`,
    );
}
