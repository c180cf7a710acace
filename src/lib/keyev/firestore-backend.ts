import { FIRESTORE_BATCH_LIMITS, type DocumentStore } from '../cloud/document-store.js';
import { RuntimeError } from '../errors/gwctl-error.js';
import { assertKey, firestoreIdProblem } from './key-rules.js';
import type { KeyevStore } from './store.js';
import { quote } from '../ui/printable.js';

/** keyev on Firestore: one document per key (id = key) with fields `value` (string) and `updatedAt`. */
export function firestoreKeyev(docs: DocumentStore, collection: string): KeyevStore {
  const where = `Firestore collection ${collection} in ${docs.where}`;
  const check = (key: string) => assertKey(key, firestoreIdProblem(key), where);
  const valueOf = (id: string, data: Record<string, unknown>): string => {
    if (typeof data.value !== 'string') {
      throw new RuntimeError(
        `${where}: document ${quote(id)} has no string field "value"; fix or delete it, keyev holds strings only`,
      );
    }
    return data.value;
  };
  const store: KeyevStore = {
    backend: 'firestore',
    where,
    keyProblem: (key) => firestoreIdProblem(key),
    async get(key) {
      check(key);
      const data = (await docs.getAll(collection, [key])).get(key);
      return data ? valueOf(key, data) : undefined;
    },
    async list() {
      const all = await docs.list(collection);
      return new Map([...all].map(([id, data]) => [id, valueOf(id, data)]));
    },
    set: (key, value) => store.setMany(new Map([[key, value]])),
    async setMany(entries) {
      for (const key of entries.keys()) check(key);
      const writes = [...entries].map(([id, value]) => ({ collection, id, data: { value, updatedAt: new Date() } }));
      for (let i = 0; i < writes.length; i += FIRESTORE_BATCH_LIMITS.writes) {
        await docs.commit(writes.slice(i, i + FIRESTORE_BATCH_LIMITS.writes));
      }
    },
    async delete(key) {
      check(key);
      const existed = (await docs.getAll(collection, [key])).has(key);
      if (existed) await docs.commit([{ collection, id: key, delete: true }]);
      return existed;
    },
    close: () => docs.close(),
  };
  return store;
}
