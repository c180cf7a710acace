import { BSON, Long } from 'bson';
import { runPipeline } from './aggregate.js';
import type { CursorRegistry } from './cursors.js';
import { ErrorCodes, MongoCommandError, badValue } from './errors.js';
import { project } from './projection.js';
import { matches } from './query.js';
import { sortDocs } from './sort.js';
import type { Collection, MongoStore } from './store.js';
import { applyUpdate, isOperatorUpdate, upsertBase, withId } from './update.js';
import { isDoc, toNumber, truthy, type Doc } from './values.js';

export interface CommandContext {
  store: MongoStore;
  cursors: CursorRegistry;
  connectionId: number;
}

/** What the emulator claims to be: MongoDB 7.0 (wire version 21), standalone, no auth. */
const SERVER_VERSION = '7.0.0';
const MAX_WIRE_VERSION = 21;

/** The command name (its first field) and the collection it targets, for the request log. */
export function describeCommand(db: string, cmd: Doc): { name: string; path: string } {
  const name = Object.keys(cmd)[0] ?? '';
  const target = name === 'getMore' ? cmd.collection : cmd[name];
  return { name, path: typeof target === 'string' && target ? `${db}.${target}` : db };
}

/** Runs one command and returns its reply; failures throw MongoCommandError. */
export function runCommand(ctx: CommandContext, db: string, cmd: Doc): Doc {
  const { name } = describeCommand(db, cmd);
  const handler = handlers[name] ?? handlers[name.toLowerCase()];
  if (!handler)
    throw new MongoCommandError(ErrorCodes.CommandNotFound, 'CommandNotFound', `no such command: '${name}'`);
  return handler(ctx, db, cmd);
}

type Handler = (ctx: CommandContext, db: string, cmd: Doc) => Doc;

const hello: Handler = (ctx, _db, cmd) => ({
  ...('hello' in cmd ? { isWritablePrimary: true } : { ismaster: true }),
  helloOk: true,
  maxBsonObjectSize: 16 * 1024 * 1024,
  maxMessageSizeBytes: 48_000_000,
  maxWriteBatchSize: 100_000,
  localTime: new Date(),
  logicalSessionTimeoutMinutes: 30,
  connectionId: ctx.connectionId,
  minWireVersion: 0,
  maxWireVersion: MAX_WIRE_VERSION,
  readOnly: false,
  ok: 1,
});

const ok: Handler = () => ({ ok: 1 });

const handlers: Record<string, Handler> = {
  hello,
  ismaster: hello,
  isMaster: hello,
  ping: ok,
  endSessions: ok,
  buildInfo: () => ({
    version: SERVER_VERSION,
    gitVersion: 'gwctl-emulator',
    versionArray: [7, 0, 0, 0],
    bits: 64,
    maxBsonObjectSize: 16 * 1024 * 1024,
    storageEngines: ['gwctl-emulator'],
    ok: 1,
  }),
  buildinfo: (ctx, db, cmd) => handlers.buildInfo(ctx, db, cmd),
  getParameter: (_ctx, _db, cmd) => ({
    ...(cmd.featureCompatibilityVersion !== undefined ? { featureCompatibilityVersion: { version: '7.0' } } : {}),
    ok: 1,
  }),
  connectionStatus: () => ({ authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] }, ok: 1 }),
  whatsmyuri: () => ({ you: '127.0.0.1', ok: 1 }),

  listDatabases: (ctx, _db, cmd) => {
    const all = ctx.store.databaseNames().map((name) => ({ name, sizeOnDisk: 0, empty: false }));
    const dbs = all.filter((d) => matches(d, cmd.filter as Doc | undefined));
    if (truthy(cmd.nameOnly)) return { databases: dbs.map(({ name }) => ({ name })), ok: 1 };
    return { databases: dbs, totalSize: 0, totalSizeMb: 0, ok: 1 };
  },

  listCollections: (ctx, db, cmd) => {
    const infos = ctx.store.collections(db).map((c) => ({
      name: c.name,
      type: 'collection',
      options: {},
      info: { readOnly: false, uuid: c.uuid },
      idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
    }));
    const chosen = infos.filter((i) => matches(i, cmd.filter as Doc | undefined));
    const out = truthy(cmd.nameOnly) ? chosen.map(({ name, type }) => ({ name, type })) : chosen;
    return ctx.cursors.start(`${db}.$cmd.listCollections`, out, batchSizeOf(cmd.cursor));
  },

  find: (ctx, db, cmd) => {
    const coll = ctx.store.collection(db, String(cmd.find));
    let docs = (coll?.docs ?? []).filter((d) => matches(d, cmd.filter as Doc | undefined));
    docs = sortDocs(docs, cmd.sort as Doc | undefined);
    const skip = toNumber(cmd.skip) ?? 0;
    const limit = toNumber(cmd.limit) ?? 0;
    if (skip < 0 || limit < 0) throw badValue('skip and limit must be non-negative');
    docs = docs.slice(skip, limit > 0 ? skip + limit : undefined);
    docs = docs.map((d) => project(d, cmd.projection as Doc | undefined));
    return ctx.cursors.start(`${db}.${String(cmd.find)}`, docs, toNumber(cmd.batchSize), truthy(cmd.singleBatch));
  },

  getMore: (ctx, db, cmd) => {
    if (!(cmd.getMore instanceof Long))
      throw new MongoCommandError(ErrorCodes.TypeMismatch, 'TypeMismatch', 'getMore must be a long');
    return ctx.cursors.getMore(cmd.getMore, `${db}.${String(cmd.collection)}`, toNumber(cmd.batchSize));
  },

  killCursors: (ctx, _db, cmd) => ctx.cursors.kill((Array.isArray(cmd.cursors) ? cmd.cursors : []) as Long[]),

  count: (ctx, db, cmd) => {
    const coll = ctx.store.collection(db, String(cmd.count));
    let docs = (coll?.docs ?? []).filter((d) => matches(d, cmd.query as Doc | undefined));
    const skip = toNumber(cmd.skip) ?? 0;
    const limit = toNumber(cmd.limit) ?? 0;
    docs = docs.slice(skip, limit > 0 ? skip + limit : undefined);
    return { n: docs.length, ok: 1 };
  },

  aggregate: (ctx, db, cmd) => {
    if (typeof cmd.aggregate !== 'string') throw badValue('collection-less aggregate is not supported');
    if (!Array.isArray(cmd.pipeline)) throw badValue("'pipeline' option must be specified as an array");
    const coll = ctx.store.collection(db, cmd.aggregate);
    const out = runPipeline(coll?.docs ?? [], cmd.pipeline);
    return ctx.cursors.start(`${db}.${cmd.aggregate}`, out, batchSizeOf(cmd.cursor));
  },

  insert: (ctx, db, cmd) => {
    const coll = ctx.store.ensureCollection(db, String(cmd.insert));
    const docs = (cmd.documents ?? []) as Doc[];
    const ordered = cmd.ordered === undefined || truthy(cmd.ordered);
    const writeErrors: Doc[] = [];
    let n = 0;
    for (const [index, doc] of docs.entries()) {
      try {
        coll.insert(withId(doc));
        n++;
      } catch (err) {
        writeErrors.push(writeError(index, err));
        if (ordered) break;
      }
    }
    if (n > 0) ctx.store.changed(db);
    return { n, ...(writeErrors.length ? { writeErrors } : {}), ok: 1 };
  },

  update: (ctx, db, cmd) => {
    const coll = ctx.store.ensureCollection(db, String(cmd.update));
    const ordered = cmd.ordered === undefined || truthy(cmd.ordered);
    const writeErrors: Doc[] = [];
    const upserted: Doc[] = [];
    let n = 0;
    let nModified = 0;
    for (const [index, stmt] of ((cmd.updates ?? []) as Doc[]).entries()) {
      try {
        const r = updateOne(coll, stmt);
        n += r.n;
        nModified += r.nModified;
        if (r.upsertedId !== undefined) upserted.push({ index, _id: r.upsertedId });
      } catch (err) {
        writeErrors.push(writeError(index, err));
        if (ordered) break;
      }
    }
    ctx.store.changed(db);
    return {
      n,
      nModified,
      ...(upserted.length ? { upserted } : {}),
      ...(writeErrors.length ? { writeErrors } : {}),
      ok: 1,
    };
  },

  delete: (ctx, db, cmd) => {
    const coll = ctx.store.collection(db, String(cmd.delete));
    let n = 0;
    for (const stmt of (cmd.deletes ?? []) as Doc[]) {
      const hits = (coll?.docs ?? []).filter((d) => matches(d, stmt.q as Doc | undefined));
      for (const doc of toNumber(stmt.limit) === 1 ? hits.slice(0, 1) : hits) {
        coll!.remove(doc);
        n++;
      }
    }
    if (n > 0) ctx.store.changed(db);
    return { n, ok: 1 };
  },

  create: (ctx, db, cmd) => {
    const name = String(cmd.create);
    if (ctx.store.collection(db, name)) {
      throw new MongoCommandError(
        ErrorCodes.NamespaceExists,
        'NamespaceExists',
        `Collection ${db}.${name} already exists.`,
      );
    }
    ctx.store.ensureCollection(db, name);
    return { ok: 1 };
  },

  drop: (ctx, db, cmd) => {
    const name = String(cmd.drop);
    const coll = ctx.store.collection(db, name);
    ctx.store.dropCollection(db, name);
    return { ns: `${db}.${name}`, nIndexesWas: coll?.indexes.length ?? 0, ok: 1 };
  },

  dropDatabase: (ctx, db) => {
    ctx.store.dropDatabase(db);
    return { dropped: db, ok: 1 };
  },

  createIndexes: (ctx, db, cmd) => {
    const coll = ctx.store.ensureCollection(db, String(cmd.createIndexes));
    const before = coll.indexes.length;
    for (const spec of (cmd.indexes ?? []) as Doc[]) {
      if (!coll.indexes.some((i) => i.name === spec.name)) coll.indexes.push({ v: 2, ...spec });
    }
    ctx.store.changed(db);
    return {
      numIndexesBefore: before,
      numIndexesAfter: coll.indexes.length,
      createdCollectionAutomatically: false,
      ok: 1,
    };
  },

  listIndexes: (ctx, db, cmd) => {
    const name = String(cmd.listIndexes);
    const coll = ctx.store.collection(db, name);
    if (!coll)
      throw new MongoCommandError(
        ErrorCodes.NamespaceNotFound,
        'NamespaceNotFound',
        `ns does not exist: ${db}.${name}`,
      );
    return ctx.cursors.start(`${db}.${name}`, coll.indexes, batchSizeOf(cmd.cursor));
  },
};

function updateOne(coll: Collection, stmt: Doc): { n: number; nModified: number; upsertedId?: unknown } {
  const q = stmt.q as Doc | undefined;
  const hits = coll.docs.filter((d) => matches(d, q));
  const targets = truthy(stmt.multi) ? hits : hits.slice(0, 1);
  if (truthy(stmt.multi) && isDoc(stmt.u) && !isOperatorUpdate(stmt.u))
    throw badValue('multi update is not supported for replacement-style update');
  if (targets.length === 0 && truthy(stmt.upsert)) {
    const doc = withId(applyUpdate(upsertBase(q), stmt.u, true));
    coll.insert(doc);
    return { n: 1, nModified: 0, upsertedId: doc._id };
  }
  let nModified = 0;
  for (const doc of targets) {
    const next = applyUpdate(doc, stmt.u, false);
    // Byte comparison, so a type change (Int32 → Double) counts as a modification.
    if (!Buffer.from(BSON.serialize(next)).equals(BSON.serialize(doc))) {
      coll.replace(doc, next);
      nModified++;
    }
  }
  return { n: targets.length, nModified };
}

function writeError(index: number, err: unknown): Doc {
  if (err instanceof MongoCommandError) return { index, code: err.code, codeName: err.codeName, errmsg: err.message };
  throw err;
}

function batchSizeOf(cursorOpt: unknown): number | undefined {
  return isDoc(cursorOpt) ? toNumber(cursorOpt.batchSize) : undefined;
}
