export type KeyevBackend = 'firestore' | 'configmap';

/**
 * keyev: the gateway's small key/value store (string keys, string values). Every backend implements
 * this interface, so migrations and commands never see Firestore or Kubernetes types.
 */
export interface KeyevStore {
  readonly backend: KeyevBackend;
  /** Where the values live, for messages: `Firestore collection keyev in proj/(default)`, `ConfigMap default/keyev`. */
  readonly where: string;
  /** Why the backend cannot hold this key as-is, or undefined when it can. Keys are never rewritten to fit. */
  keyProblem(key: string): string | undefined;
  get(key: string): Promise<string | undefined>;
  list(): Promise<Map<string, string>>;
  set(key: string, value: string): Promise<void>;
  /** Several keys in as few writes as the backend allows. */
  setMany(entries: ReadonlyMap<string, string>): Promise<void>;
  /** Whether the key existed. */
  delete(key: string): Promise<boolean>;
  close(): Promise<void>;
}
