import type { DocumentStore, FieldMap } from '../cloud/document-store.js';
import type { MongoSource } from '../cloud/mongo.js';
import type { Environment } from '../config/schema.js';
import { UsageError } from '../errors/gwctl-error.js';
import { firestoreIdProblem } from '../keyev/key-rules.js';
import { documentId } from './document-id.js';
import type { KeystoreData } from './keystore-apply.js';
import { ConversionError, firestoreDocumentSize, toFirestoreFields } from './keystore-convert.js';
import {
  planKeystoreMigration,
  type ConvertedDocument,
  type KeystoreCollectionInput,
  type KeystorePlan,
} from './keystore-plan.js';
import { requireCollections } from './source-check.js';
import { quote } from '../ui/printable.js';

export interface KeystoreMigrationOptions {
  /** Overrides `mongodb.database`. */
  database?: string;
  /** Overrides `mongodb.keystoreCollections`. */
  collections?: string[];
  overwrite?: boolean;
}

export interface KeystoreMigrationDeps {
  openSource(env: Environment, opts: { database?: string }): Promise<MongoSource>;
  openTarget(env: Environment): Promise<DocumentStore>;
}

export const defaultKeystoreDeps: KeystoreMigrationDeps = {
  openSource: async (env, opts) => (await import('../cloud/mongo.js')).openMongoSource(env, opts),
  openTarget: async (env) => (await import('../cloud/firestore.js')).openDocumentStore(env),
};

/**
 * Reads the keys/certs collections and what Firestore already holds, converts every document, and
 * plans. The Firestore store stays open for the apply step.
 */
export async function prepareKeystoreMigration(
  env: Environment,
  opts: KeystoreMigrationOptions,
  deps: KeystoreMigrationDeps = defaultKeystoreDeps,
): Promise<{ plan: KeystorePlan; data: KeystoreData; store: DocumentStore; close(): Promise<void> }> {
  if (!env.mongodb)
    throw new UsageError(
      `environment ${env.name} has no mongodb section; add mongodb.uriEnv (or uriFile) to gwctl.yaml`,
    );
  const wanted = opts.collections ?? env.mongodb.keystoreCollections;
  for (const c of wanted) {
    const problem = firestoreIdProblem(c, 'collection id');
    if (problem) throw new UsageError(`collection ${quote(c)} cannot be copied to Firestore: ${problem}`);
  }
  const source = await deps.openSource(env, { database: opts.database });
  const read: {
    collection: string;
    documents: ConvertedDocument[];
    ttl: { field: string; expireAfterSeconds: number }[];
  }[] = [];
  const warnings: string[] = [];
  try {
    const existing = await source.listCollections();
    const present = wanted.filter((c) => existing.includes(c));
    // Collections appear on first insert, so one missing collection can mean "never used"; all missing means the wrong database.
    await requireCollections(source, present.length > 0 ? present : wanted, { database: '--database' });
    for (const c of wanted.filter((w) => !present.includes(w)))
      warnings.push(`MongoDB has no ${c} collection in ${source.database}; nothing to copy for it`);
    for (const collection of present) {
      const docs = await source.readAll(collection);
      read.push({
        collection,
        documents: docs.map((d) => convertDocument(collection, d)),
        ttl: await source.ttlIndexes(collection),
      });
    }
  } finally {
    await source.close();
  }
  const store = await deps.openTarget(env);
  try {
    const inputs: KeystoreCollectionInput[] = [];
    for (const r of read) inputs.push({ ...r, target: await store.list(r.collection) });
    const plan = planKeystoreMigration({
      collections: inputs,
      overwrite: opts.overwrite,
      source: { where: source.where, database: source.database },
      target: { where: store.where },
    });
    plan.warnings.unshift(...warnings);
    const data = new Map(
      read.map((r) => [
        r.collection,
        new Map(r.documents.filter((d) => d.fields).map((d) => [d.id, d.fields as FieldMap])),
      ]),
    );
    return { plan, data, store, close: () => store.close() };
  } catch (err) {
    await store.close();
    throw err;
  }
}

function convertDocument(collection: string, doc: Record<string, unknown>): ConvertedDocument {
  const id = documentId(doc._id);
  const idProblem = firestoreIdProblem(id);
  if (idProblem) return { id, error: `_id ${quote(id)} cannot be a Firestore document id: ${idProblem}` };
  try {
    const fields = toFirestoreFields(doc);
    return { id, fields, bytes: firestoreDocumentSize(collection, id, fields) };
  } catch (err) {
    if (err instanceof ConversionError) return { id, error: err.message };
    throw err;
  }
}
