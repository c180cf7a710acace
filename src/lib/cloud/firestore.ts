import type { Firestore } from '@google-cloud/firestore';
import type { Environment } from '../config/schema.js';
import { RuntimeError } from '../errors/gwctl-error.js';
import { refuseRealCloudForSandbox } from './sandbox-guard.js';

/**
 * A Firestore client for the environment's project and database. The sandbox's emulator
 * (`env.emulators.firestore`) wins, then FIRESTORE_EMULATOR_HOST; otherwise Application Default
 * Credentials are used. The SDK is loaded here, on first use, so `gwctl --help` never pays for it.
 */
export async function openFirestore(env: Environment): Promise<Firestore> {
  const configured = env.emulators?.firestore;
  if (!configured) refuseRealCloudForSandbox(env, 'Firestore');
  const { Firestore } = await import('@google-cloud/firestore');
  const base = { projectId: env.project, databaseId: env.firestore.databaseId };
  // The SDK applies FIRESTORE_EMULATOR_HOST itself; the universe domain spares google-auth's metadata-server probe.
  if (!configured)
    return new Firestore(process.env.FIRESTORE_EMULATOR_HOST ? { ...base, universeDomain: 'googleapis.com' } : base);
  // The SDK lets FIRESTORE_EMULATOR_HOST override `host`; hide it while constructing so the environment's emulator wins.
  const saved = process.env.FIRESTORE_EMULATOR_HOST;
  delete process.env.FIRESTORE_EMULATOR_HOST;
  try {
    return new Firestore({
      ...base,
      host: configured.replace(/^https?:\/\//, '').replace(/\/$/, ''),
      ssl: false,
      // Saves google-auth's metadata-server probe (half a second and a warning) when no credentials exist.
      universeDomain: 'googleapis.com',
      // What the emulator treats as an admin caller (no security rules), as FIRESTORE_EMULATOR_HOST implies.
      customHeaders: { Authorization: 'Bearer owner' },
    });
  } finally {
    if (saved !== undefined) process.env.FIRESTORE_EMULATOR_HOST = saved;
  }
}

/** A Firestore field value in plain terms: timestamps come back as Date, bytes as Buffer. */
export type FieldValue =
  null | boolean | number | string | Date | Buffer | FieldValue[] | { [field: string]: FieldValue };
export type FieldMap = { [field: string]: FieldValue };

export type DocumentWrite =
  { collection: string; id: string; data: FieldMap } | { collection: string; id: string; delete: true };

/** The few Firestore calls gwctl makes, with no SDK type in sight (the rclone `fs` idea). */
export interface DocumentStore {
  /** `project/database`, for messages. */
  where: string;
  /** Every document of a collection. */
  list(collection: string): Promise<Map<string, FieldMap>>;
  /** The named documents that exist. */
  getAll(collection: string, ids: string[]): Promise<Map<string, FieldMap>>;
  /** One atomic batch: at most 500 writes and 10 MiB, Firestore's limits. */
  commit(writes: DocumentWrite[]): Promise<void>;
  close(): Promise<void>;
}

/** Firestore's own batch limits; callers split their writes to fit. */
export const FIRESTORE_BATCH_LIMITS = { writes: 500, bytes: 10 * 1024 * 1024 } as const;

export async function openDocumentStore(env: Environment): Promise<DocumentStore> {
  const db = await openFirestore(env);
  const { Timestamp } = await import('@google-cloud/firestore');
  const where = `${env.project}/${env.firestore.databaseId}`;
  const plain = (v: unknown): FieldValue => {
    if (v instanceof Timestamp) return v.toDate();
    if (v instanceof Uint8Array) return Buffer.from(v);
    if (Array.isArray(v)) return v.map(plain);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
    return v as FieldValue;
  };
  const failed = (what: string, err: unknown) =>
    new RuntimeError(
      `cannot ${what} in Firestore ${where} (environment ${env.name}): ${String((err as Error).message ?? err).split('\n')[0]}`,
    );
  return {
    where,
    async list(collection) {
      try {
        const snap = await db.collection(collection).get();
        return new Map(snap.docs.map((d) => [d.id, plain(d.data()) as FieldMap]));
      } catch (err) {
        throw failed(`list collection ${collection}`, err);
      }
    },
    async getAll(collection, ids) {
      const out = new Map<string, FieldMap>();
      try {
        for (let i = 0; i < ids.length; i += 300) {
          const refs = ids.slice(i, i + 300).map((id) => db.collection(collection).doc(id));
          for (const snap of await db.getAll(...refs))
            if (snap.exists) out.set(snap.id, plain(snap.data()) as FieldMap);
        }
      } catch (err) {
        throw failed(`read documents of ${collection}`, err);
      }
      return out;
    },
    async commit(writes) {
      try {
        const batch = db.batch();
        for (const w of writes) {
          const ref = db.collection(w.collection).doc(w.id);
          if ('delete' in w) batch.delete(ref);
          else batch.set(ref, w.data);
        }
        await batch.commit();
      } catch (err) {
        throw failed(`write ${writes.length} document(s)`, err);
      }
    },
    close: () => db.terminate(),
  };
}
