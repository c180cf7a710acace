import { RuntimeError } from '../errors/gwctl-error.js';
import { ConfigMapConflict, type ConfigMapApi } from '../cloud/configmap-api.js';
import { assertKey, configMapKeyProblem } from './key-rules.js';
import type { KeyevStore } from './store.js';

/** Kubernetes rejects ConfigMaps whose data exceeds 1 MiB. */
const MAX_CONFIGMAP_BYTES = 1024 * 1024;
const MAX_ATTEMPTS = 5;

/**
 * keyev on a ConfigMap: one data entry per key. Every write is read-modify-replace carrying the
 * resourceVersion it read, so a concurrent writer causes a 409 and a retry, never a lost update.
 */
export function configMapKeyev(api: ConfigMapApi, namespace: string, name: string): KeyevStore {
  const where = `ConfigMap ${namespace}/${name}`;
  const check = (key: string) => assertKey(key, configMapKeyProblem(key), where);

  /** Applies `change` to the current data; `change` returns false when there is nothing to write. */
  async function mutate(change: (data: Record<string, string>) => boolean): Promise<void> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const current = await api.read(namespace, name);
      const data = { ...(current?.data ?? {}) };
      if (!change(data)) return;
      const bytes = Object.entries(data).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
      if (bytes > MAX_CONFIGMAP_BYTES) {
        throw new RuntimeError(
          `${where} would hold ${bytes} bytes, over Kubernetes' 1 MiB ConfigMap limit; use the Firestore backend for this much data`,
        );
      }
      try {
        if (current) await api.replace(namespace, name, { ...current, data });
        else await api.create(namespace, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data });
        return;
      } catch (err) {
        if (!(err instanceof ConfigMapConflict)) throw err;
      }
    }
    throw new RuntimeError(
      `${where} kept changing while gwctl wrote to it (${MAX_ATTEMPTS} conflicts in a row); nothing was lost, retry in a moment`,
    );
  }

  const store: KeyevStore = {
    backend: 'configmap',
    where,
    keyProblem: configMapKeyProblem,
    async get(key) {
      check(key);
      return (await api.read(namespace, name))?.data?.[key];
    },
    async list() {
      return new Map(Object.entries((await api.read(namespace, name))?.data ?? {}));
    },
    set: (key, value) => store.setMany(new Map([[key, value]])),
    async setMany(entries) {
      for (const key of entries.keys()) check(key);
      await mutate((data) => {
        let changed = false;
        for (const [key, value] of entries) {
          if (data[key] !== value) {
            data[key] = value;
            changed = true;
          }
        }
        return changed;
      });
    },
    async delete(key) {
      check(key);
      let existed = false;
      await mutate((data) => {
        existed = key in data;
        delete data[key];
        return existed;
      });
      return existed;
    },
    close: async () => {},
  };
  return store;
}
