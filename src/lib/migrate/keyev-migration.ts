import type { Environment } from '../config/schema.js';
import type { MongoSource } from '../cloud/mongo.js';
import { UsageError } from '../errors/gwctl-error.js';
import type { KeyevBackend, KeyevStore } from '../keyev/store.js';
import { documentId } from './document-id.js';
import { planKeyevMigration, type ConfigItem, type KeyevPlan } from './keyev-plan.js';
import { requireCollections } from './source-check.js';

export interface KeyevMigrationOptions {
  /** keyev backend to fill (default: the environment's `keyev.backend`). */
  to?: KeyevBackend;
  /** Overrides `mongodb.database` / `mongodb.configCollection`. */
  database?: string;
  collection?: string;
  rename?: Record<string, string>;
  stringify?: boolean;
}

/** The I/O edges, injectable so the flow can be exercised against any MongoDB and keyev. */
export interface KeyevMigrationDeps {
  openSource(env: Environment, opts: { database?: string }): Promise<MongoSource>;
  openStore(env: Environment, backend: KeyevBackend): Promise<KeyevStore>;
}

export const defaultKeyevDeps: KeyevMigrationDeps = {
  openSource: async (env, opts) => (await import('../cloud/mongo.js')).openMongoSource(env, opts),
  openStore: async (env, backend) => (await import('../keyev/open.js')).openKeyev(env, backend),
};

/** Reads every config item and the keyev target, and plans. The store stays open for the apply step. */
export async function prepareKeyevMigration(
  env: Environment,
  opts: KeyevMigrationOptions,
  deps: KeyevMigrationDeps = defaultKeyevDeps,
): Promise<{ plan: KeyevPlan; store: KeyevStore; close(): Promise<void> }> {
  if (!env.mongodb) {
    throw new UsageError(
      `environment ${env.name} has no mongodb section; add mongodb.uriEnv (or uriFile) to gwctl.yaml`,
    );
  }
  const collection = opts.collection ?? env.mongodb.configCollection;
  const source = await deps.openSource(env, { database: opts.database });
  let items: ConfigItem[];
  try {
    await requireCollections(source, [collection], { database: '--database', collection: '--collection' });
    items = (await source.readAll(collection)).map((d) => ({ id: documentId(d._id), key: d.key, value: d.value }));
  } finally {
    await source.close();
  }
  const store = await deps.openStore(env, opts.to ?? env.keyev.backend);
  try {
    const plan = planKeyevMigration({
      items,
      target: await store.list(),
      keyProblem: (k) => store.keyProblem(k),
      rename: opts.rename,
      stringify: opts.stringify,
      source: { where: source.where, database: source.database, collection, documents: items.length },
      targetInfo: { backend: store.backend, where: store.where },
    });
    return { plan, store, close: () => store.close() };
  } catch (err) {
    await store.close();
    throw err;
  }
}
