import type { MongoSource } from '../cloud/mongo.js';
import { UsageError } from '../errors/gwctl-error.js';

const list = (names: string[]) => (names.length ? names.join(', ') : 'none');

/**
 * Refuses a database or collection that does not exist, naming it and what does exist — a typo must
 * never read as an empty, successful migration.
 */
export async function requireCollections(
  source: MongoSource,
  collections: readonly string[],
  hint: { database: string; collection?: string },
): Promise<void> {
  const db = source.database;
  const databases = await source.listDatabases();
  if (databases && !databases.includes(db)) {
    throw new UsageError(
      `database "${db}" does not exist on MongoDB at ${source.where}; databases there: ${list(databases)}; pass ${hint.database}`,
    );
  }
  const existing = await source.listCollections();
  if (!databases && existing.length === 0) {
    throw new UsageError(
      `database "${db}" on MongoDB at ${source.where} has no collections (or does not exist, or this user cannot see it); pass ${hint.database}`,
    );
  }
  const missing = collections.filter((c) => !existing.includes(c));
  if (missing.length > 0) {
    const what =
      missing.length === 1
        ? `collection "${missing[0]}" does not exist`
        : `collections ${missing.map((c) => `"${c}"`).join(', ')} do not exist`;
    throw new UsageError(
      `${what} in database "${db}" on MongoDB at ${source.where}; collections there: ${list(existing)}${hint.collection ? `; pass ${hint.collection}` : ''}`,
    );
  }
}
