import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { EJSON } from 'bson';
import { makePrivateDir, replacePrivateFile } from '../common/private-files.js';
import type { MongoStore } from './store.js';
import { cloneDoc, type Doc } from './values.js';

interface DatabaseFile {
  database: string;
  collections: Record<string, { indexes: Doc[]; documents: Doc[] }>;
}

const fileFor = (dir: string, db: string) => join(dir, `${encodeURIComponent(db)}.ejson`);

/** Loads every `<db>.ejson` file (canonical Extended JSON, so every BSON type survives) into the store. */
export function loadDatabases(dir: string, store: MongoStore): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.ejson'))) {
    const file = EJSON.parse(readFileSync(join(dir, name), 'utf8'), { relaxed: false }) as DatabaseFile;
    for (const [collName, { indexes, documents }] of Object.entries(file.collections)) {
      const coll = store.ensureCollection(file.database, collName);
      coll.indexes.splice(0, coll.indexes.length, ...indexes.map((i) => cloneDoc(i)));
      for (const doc of documents) coll.insert(cloneDoc(doc));
    }
  }
}

/**
 * Writes changed databases after a short quiet period, so a burst of inserts costs one write.
 * Each file is replaced atomically (write then rename), so a crash never leaves half a database.
 */
export class DebouncedFlusher {
  private readonly dirty = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dir: string,
    private readonly store: MongoStore,
    private readonly delayMs = 50,
  ) {
    makePrivateDir(dir);
  }

  markDirty(db: string): void {
    this.dirty.add(db);
    this.timer ??= setTimeout(() => this.flush(), this.delayMs);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const db of this.dirty) this.writeDatabase(db);
    this.dirty.clear();
  }

  private writeDatabase(db: string): void {
    const file = fileFor(this.dir, db);
    const collections = this.store.collections(db);
    if (collections.length === 0) {
      rmSync(file, { force: true });
      return;
    }
    const content: DatabaseFile = {
      database: db,
      collections: Object.fromEntries(collections.map((c) => [c.name, { indexes: c.indexes, documents: c.docs }])),
    };
    replacePrivateFile(file, EJSON.stringify(content, undefined, 1, { relaxed: false }));
  }
}
