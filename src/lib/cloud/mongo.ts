import { readFileSync } from 'node:fs';
import type { Db, MongoClient } from 'mongodb';
import type { Environment } from '../config/schema.js';
import { displayPath } from '../config/environments.js';
import { ENV_VAR_NAME, looksLikeUri, uriInConfigMessage } from '../config/uri-sources.js';
import { GwctlError, RuntimeError, UsageError } from '../errors/gwctl-error.js';
import { redact } from '../errors/redact.js';
import { withRetry, type RetryOptions } from './retry.js';

export interface MongoConnection {
  client: MongoClient;
  db: Db;
  database: string;
  /** `host:port` (or the SRV name) with credentials stripped: the only form of the URI that may be printed. */
  where: string;
  /** Masks the URI and its credentials in a message (driver errors may echo them). */
  redact(text: string): string;
  close(): Promise<void>;
}

export interface OpenMongoOptions {
  /** Overrides `env.mongodb.database`. */
  database?: string;
  /** Fail fast when the server is unreachable (default 5 s; a `serverSelectionTimeoutMS` in the URI wins). */
  serverSelectionTimeoutMS?: number;
  /** Overrides for the read retries (tests use a virtual clock). */
  retry?: RetryOptions;
}

/**
 * Connects to the environment's MongoDB. The URI comes from the variable or file named in gwctl.yaml and
 * never leaves this function: errors name the variable/file and the bare host, never the URI or credentials.
 * The driver is loaded here, on first use.
 */
export async function openMongo(env: Environment, opts: OpenMongoOptions = {}): Promise<MongoConnection> {
  const { uri, source } = readMongoUri(env);
  const where = mongoHosts(uri);
  if (!where)
    throw new UsageError(
      `environment ${env.name}: the MongoDB URI in ${source} is not a mongodb:// or mongodb+srv:// URI; fix ${source}`,
    );
  const database = opts.database ?? env.mongodb!.database;
  const { MongoClient } = await import('mongodb');
  const mask = redactor(uri);
  let client: MongoClient;
  try {
    client = new MongoClient(uri, {
      appName: 'gwctl',
      // Reads are retried by gwctl (openMongoSource), with backoff and a total deadline, resuming where they
      // stopped; the driver's own single retry would run inside ours and multiply the tries.
      retryReads: false,
      ...(/[?&]serverSelectionTimeoutMS=/i.test(uri)
        ? {}
        : { serverSelectionTimeoutMS: opts.serverSelectionTimeoutMS ?? 5000 }),
    });
  } catch (err) {
    throw new UsageError(
      `environment ${env.name}: the MongoDB URI in ${source} is invalid: ${mask(reasonOf(err))}; fix ${source}`,
    );
  }
  try {
    // An unreachable server fails at once (server selection already waited for it); a dropped or refused first command is retried.
    await withRetry(() => client.connect(), {
      ...opts.retry,
      isRetryable: (err) => isTransientMongoError(err) && (err as Error).name !== 'MongoServerSelectionError',
    });
  } catch (err) {
    await client.close().catch(() => undefined);
    if (err instanceof GwctlError) throw err; // e.g. a malformed GWCTL_RETRY_DEADLINE
    throw connectionError(env.name, where, source, mask(reasonOf(err)), err);
  }
  return { client, db: client.db(database), database, where, redact: mask, close: () => client.close() };
}

/** The URI and a printable name of where it came from (`$GATEWAY_MONGODB_URI`, `secrets/mongodb-uri`). */
export function readMongoUri(env: Environment): { uri: string; source: string } {
  const m = env.mongodb;
  if (!m)
    throw new UsageError(
      `environment ${env.name} has no mongodb section in ${displayPath(env.source)}; add mongodb.uriEnv or mongodb.uriFile`,
    );
  // gwctl.yaml's schema refuses a URI in either field; this guards environments built in code too.
  if (m.uriEnv) {
    if (looksLikeUri(m.uriEnv) || !ENV_VAR_NAME.test(m.uriEnv))
      throw new UsageError(
        `environment ${env.name}: mongodb.uriEnv ${looksLikeUri(m.uriEnv) ? uriInConfigMessage('uriEnv') : 'is not a variable name (value not shown)'}`,
      );
    const source = `$${m.uriEnv}`;
    const uri = Object.hasOwn(process.env, m.uriEnv) ? process.env[m.uriEnv]?.trim() : undefined;
    if (!uri)
      throw new UsageError(
        `environment ${env.name}: the MongoDB URI variable ${m.uriEnv} is not set; export ${m.uriEnv} (mongodb.uriEnv in gwctl.yaml names it)`,
      );
    return { uri, source };
  }
  const file = m.uriFile!;
  if (looksLikeUri(file))
    throw new UsageError(`environment ${env.name}: mongodb.uriFile ${uriInConfigMessage('uriFile')}`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new UsageError(
      `environment ${env.name}: cannot read the MongoDB URI file ${displayPath(file)} (${code}); check mongodb.uriFile in gwctl.yaml${env.name === 'sandbox' ? ' or run `gwctl sandbox start`' : ''}`,
    );
  }
  const uri = text.trim();
  if (!uri) throw new UsageError(`environment ${env.name}: the MongoDB URI file ${displayPath(file)} is empty`);
  return { uri, source: displayPath(file) };
}

/**
 * `mongodb://u:p@a:1,b:2/db?x` → `a:1,b:2`; undefined when it is not a MongoDB URI. The credentials end at
 * the last @, so a password with an unescaped @ or / (which the driver refuses) is not taken for a host.
 */
export function mongoHosts(uri: string): string | undefined {
  const m = /^mongodb(?:\+srv)?:\/\/(?:.*@)?([^/?@]+)/.exec(uri);
  return m?.[1];
}

/**
 * Masks the URI, its user and its password (raw and percent-decoded) wherever a driver message might echo
 * them, then whatever else looks like a secret (../errors/redact.ts). The user name and a short password are
 * masked as whole words only, so that they cannot shred the rest of the message.
 */
function redactor(uri: string): (text: string) => string {
  const anywhere = new Set<string>([uri]);
  const wholeWords = new Set<string>();
  const userinfo = /^mongodb(?:\+srv)?:\/\/(.*)@/.exec(uri)?.[1];
  if (userinfo) {
    anywhere.add(userinfo);
    const colon = userinfo.indexOf(':');
    const [user, password] = colon < 0 ? [userinfo, ''] : [userinfo.slice(0, colon), userinfo.slice(colon + 1)];
    for (const form of [user, decodeSafely(user)]) wholeWords.add(form);
    for (const form of [password, decodeSafely(password)]) (form.length < 4 ? wholeWords : anywhere).add(form);
  }
  const patterns = [
    ...[...anywhere].filter(Boolean).map((s) => [s, escapeRegExp(s)] as const),
    ...[...wholeWords].filter(Boolean).map((s) => [s, `(?<![\\w.-])${escapeRegExp(s)}(?![\\w.-])`] as const),
  ]
    .sort(([a], [b]) => b.length - a.length)
    .map(([, source]) => new RegExp(source, 'g'));
  return (text) => redact(patterns.reduce((t, re) => t.replace(re, '***'), text));
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text; // not percent-encoded: the raw form is enough
  }
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function reasonOf(err: unknown): string {
  const e = err as { message?: string; code?: unknown };
  return (e?.message ?? String(err)).split('\n')[0].replace(/\s+/g, ' ').trim() || 'unknown error';
}

function connectionError(envName: string, where: string, source: string, reason: string, err: unknown): RuntimeError {
  const code = (err as { code?: unknown }).code;
  if (code === 18 || /auth(entication)? failed/i.test(reason)) {
    return new RuntimeError(
      `MongoDB at ${where} rejected the credentials for environment ${envName}: ${reason}; check the user and password in ${source}`,
    );
  }
  // No `cause`: a driver error could carry the URI into a stack trace or log.
  return new RuntimeError(
    `cannot reach MongoDB for environment ${envName} at ${where}: ${reason}; check the URI in ${source}, network access to ${where} (VPN, firewall, IP allow-list) and that the server is up`,
  );
}

/** A MongoDB document as the driver returns it: plain values plus bson's Binary, ObjectId, Decimal128, … */
export type MongoDocument = Record<string, unknown>;

/** What the migrations read from MongoDB, with no driver types in sight. */
export interface MongoSource {
  database: string;
  where: string;
  /** Database names, or undefined when the user may not list them. */
  listDatabases(): Promise<string[] | undefined>;
  listCollections(): Promise<string[]>;
  readAll(collection: string): Promise<MongoDocument[]>;
  /** Fields with a TTL index (`expireAfterSeconds`): MongoDB deletes documents by them. */
  ttlIndexes(collection: string): Promise<{ field: string; expireAfterSeconds: number }[]>;
  close(): Promise<void>;
}

export async function openMongoSource(env: Environment, opts: OpenMongoOptions = {}): Promise<MongoSource> {
  const conn = await openMongo(env, opts);
  const failed = (what: string, err: unknown) =>
    err instanceof GwctlError
      ? err
      : new RuntimeError(
          `cannot ${what} on MongoDB at ${conn.where} (environment ${env.name}): ${conn.redact(reasonOf(err))}; check the connection and the user's roles`,
        );
  const retried = <T>(fn: () => Promise<T>) => withRetry(fn, { ...opts.retry, isRetryable: isTransientMongoError });
  /** Every read goes through here: transient failures retried (reads are idempotent), the rest one line. */
  const read = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await retried(fn);
    } catch (err) {
      throw failed(what, err);
    }
  };
  return {
    database: conn.database,
    where: conn.where,
    async listDatabases() {
      try {
        const r = await retried(() =>
          conn.client.db('admin').admin().listDatabases({ nameOnly: true, authorizedDatabases: true }),
        );
        return r.databases.map((d) => d.name).sort();
      } catch (err) {
        if ((err as { code?: unknown }).code === 13) return undefined; // Unauthorized: fall back to listCollections.
        throw failed('list databases', err);
      }
    },
    async listCollections() {
      const all = await read(`list the collections of ${conn.database}`, () =>
        conn.db.listCollections({}, { nameOnly: true }).toArray(),
      );
      return all.map((c) => c.name).sort();
    },
    async readAll(collection) {
      // Page by page in _id order, each page a query that starts after the last _id read: a failed page is
      // asked again from there, so a dropped connection neither skips nor repeats a document.
      const coll = conn.db.collection(collection);
      const docs: MongoDocument[] = [];
      for (;;) {
        const filter = docs.length ? resumeAfter(docs[docs.length - 1]._id) : {};
        const page = await read(`read ${conn.database}.${collection}`, () =>
          coll
            // promoteValues off: a Double stays a Double (5.0 is not the integer 5), an Int32 an Int32, a Long a Long.
            .find(filter, { sort: { _id: 1 }, limit: READ_PAGE, batchSize: READ_PAGE, promoteValues: false })
            .toArray(),
        );
        docs.push(...page);
        if (page.length < READ_PAGE) return docs;
      }
    },
    async ttlIndexes(collection) {
      const indexes = await read(`list the indexes of ${conn.database}.${collection}`, () =>
        conn.db.collection(collection).indexes(),
      );
      return indexes
        .filter((i) => typeof i.expireAfterSeconds === 'number' && Object.keys(i.key).length === 1)
        .map((i) => ({ field: Object.keys(i.key)[0], expireAfterSeconds: i.expireAfterSeconds! }));
    },
    close: conn.close,
  };
}

/** Documents per query when reading a whole collection. */
export const READ_PAGE = 1000;

/** Driver errors a read may safely be tried again after (https://github.com/mongodb/specifications, retryable reads). */
const TRANSIENT_LABELS = [
  'RetryableError',
  'SystemOverloadedError',
  'ResetPool',
  'RetryableWriteError',
  'PoolRequestedRetry',
];
const TRANSIENT_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  43, // CursorNotFound: the server lost the page's cursor (restart, dropped connection); the page is asked again
  89, // NetworkTimeout
  91, // ShutdownInProgress
  134, // ReadConcernMajorityNotAvailableYet
  189, // PrimarySteppedDown
  262, // ExceededTimeLimit
  462, // IngressRequestRateLimitExceeded
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);
const TRANSIENT_NAMES = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoPoolClearedError',
  'MongoServerSelectionError',
]);

/** A dropped connection, a stepping-down or overloaded server: not an answer, worth reading again. */
export function isTransientMongoError(err: unknown): boolean {
  const e = err as { name?: unknown; code?: unknown; hasErrorLabel?: (label: string) => boolean } | undefined;
  if (!e) return false;
  if (typeof e.name === 'string' && TRANSIENT_NAMES.has(e.name)) return true;
  // Number(): a read made with `promoteValues: false` gets the server's error code as an Int32 too.
  if (e.code !== undefined && e.code !== null && TRANSIENT_CODES.has(Number(e.code))) return true;
  return typeof e.hasErrorLabel === 'function' && TRANSIENT_LABELS.some((l) => e.hasErrorLabel!(l));
}

/**
 * MongoDB's sort order of BSON types, as `$type` aliases, bracket by bracket
 * (https://www.mongodb.com/docs/manual/reference/bson-type-comparison-order/; code and dbPointer after regex,
 * as the server's canonical type order puts them). `$gt` compares within one bracket only.
 */
const TYPE_BRACKETS = [
  ['minKey'],
  ['undefined', 'null'],
  ['double', 'int', 'long', 'decimal'],
  ['string', 'symbol'],
  ['object'],
  ['array'],
  ['binData'],
  ['objectId'],
  ['bool'],
  ['date'],
  ['timestamp'],
  ['regex'],
  ['dbPointer'],
  ['javascript', 'javascriptWithScope'],
  ['maxKey'],
];
const BRACKET_OF_TAG: Record<string, number> = {
  MinKey: 0,
  Int32: 2,
  Double: 2,
  Long: 2,
  Decimal128: 2,
  BSONSymbol: 3,
  DBRef: 4,
  Binary: 6,
  ObjectId: 7,
  Timestamp: 10,
  BSONRegExp: 11,
  Code: 13,
  MaxKey: 14,
};

function typeBracket(v: unknown): number {
  if (v === null || v === undefined) return 1;
  if (typeof v === 'number' || typeof v === 'bigint') return 2;
  if (typeof v === 'string') return 3;
  if (typeof v === 'boolean') return 8;
  if (v instanceof Date) return 9;
  if (v instanceof RegExp) return 11;
  if (Array.isArray(v)) return 5;
  const tag = (v as { _bsontype?: unknown })._bsontype;
  return typeof tag === 'string' ? (BRACKET_OF_TAG[tag] ?? 4) : 4;
}

const isNaNValue = (v: unknown) =>
  (typeof v === 'number' && Number.isNaN(v)) ||
  ((v as { _bsontype?: unknown })?._bsontype === 'Double' && Number.isNaN((v as { value: number }).value));

/**
 * The documents sorted after `_id` = `last`: the rest of its type bracket (`$gt`), then every later bracket
 * (`$type`), so a collection mixing string and ObjectId ids resumes without skipping either.
 */
export function resumeAfter(last: unknown): Record<string, unknown> {
  const bracket = typeBracket(last);
  // NaN sorts before every other number, yet `$gt: NaN` matches none of them.
  const rest = { _id: isNaNValue(last) ? { $gte: -Infinity } : { $gt: last } };
  const later = TYPE_BRACKETS.slice(bracket + 1).flat();
  return later.length ? { $or: [rest, { _id: { $type: later } }] } : rest;
}
