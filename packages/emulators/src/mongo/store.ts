import { UUID } from 'bson';
import { ErrorCodes, MongoCommandError } from './errors.js';
import { cloneDoc, idKey, type Doc } from './values.js';

/** One collection: documents in insertion order, plus the `_id` uniqueness index. */
export class Collection {
  readonly docs: Doc[] = [];
  private readonly ids = new Map<string, Doc>();
  /** Index specs as created (only `_id_` is enforced; the rest are remembered for listIndexes). */
  readonly indexes: Doc[] = [{ v: 2, key: { _id: 1 }, name: '_id_' }];
  readonly uuid = new UUID();

  constructor(readonly name: string) {}

  has(id: unknown): boolean {
    return this.ids.has(idKey(id));
  }

  insert(doc: Doc): void {
    const key = idKey(doc._id);
    if (this.ids.has(key)) {
      throw new MongoCommandError(
        ErrorCodes.DuplicateKey,
        'DuplicateKey',
        `E11000 duplicate key error collection: ${this.name} index: _id_ dup key: { _id: ${JSON.stringify(key)} }`,
      );
    }
    const stored = cloneDoc(doc);
    this.docs.push(stored);
    this.ids.set(key, stored);
  }

  replace(old: Doc, next: Doc): void {
    const i = this.docs.indexOf(old);
    if (i < 0) return;
    this.docs[i] = next;
    this.ids.set(idKey(next._id), next);
  }

  remove(doc: Doc): void {
    const i = this.docs.indexOf(doc);
    if (i < 0) return;
    this.docs.splice(i, 1);
    this.ids.delete(idKey(doc._id));
  }
}

/** All databases, in memory. `onChange(db)` fires after every mutation so persistence can flush. */
export class MongoStore {
  private readonly databases = new Map<string, Map<string, Collection>>();

  constructor(private readonly onChange: (db: string) => void = () => {}) {}

  databaseNames(): string[] {
    return [...this.databases.keys()].filter((db) => this.databases.get(db)!.size > 0).sort();
  }

  collections(db: string): Collection[] {
    return [...(this.databases.get(db)?.values() ?? [])];
  }

  collection(db: string, name: string): Collection | undefined {
    return this.databases.get(db)?.get(name);
  }

  /** The collection, created implicitly as the server does on first write. */
  ensureCollection(db: string, name: string): Collection {
    validateNamespace(db, name);
    let colls = this.databases.get(db);
    if (!colls) this.databases.set(db, (colls = new Map()));
    let coll = colls.get(name);
    if (!coll) {
      colls.set(name, (coll = new Collection(name)));
      this.changed(db);
    }
    return coll;
  }

  dropCollection(db: string, name: string): boolean {
    const dropped = this.databases.get(db)?.delete(name) ?? false;
    if (dropped) this.changed(db);
    return dropped;
  }

  dropDatabase(db: string): void {
    if (this.databases.delete(db)) this.changed(db);
  }

  changed(db: string): void {
    this.onChange(db);
  }
}

function validateNamespace(db: string, name: string): void {
  if (!db || /[/\\. "$\0]/.test(db) || !name || name.startsWith('.') || name.includes('$') || name.includes('\0')) {
    throw new MongoCommandError(
      ErrorCodes.InvalidNamespace,
      'InvalidNamespace',
      `Invalid namespace specified '${db}.${name}'`,
    );
  }
}
