import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { startMongoEmulator, type MongoEmulator } from '../mongo/index.js';

/** True when `MONGODB_URI` points the suite at a real server instead of the emulator. */
export const usingRealMongo = Boolean(process.env.MONGODB_URI);

export interface MongoTarget {
  uri: string;
  /** A database name unique to this test file, so runs against a shared real server never collide. */
  database: string;
  /** The emulator (request log, faults), or undefined against a real server. */
  emulator?: MongoEmulator;
  /** A connected driver client for seeding and checking. */
  client: MongoClient;
  /** Drops the database on a real server; stops the emulator. */
  close(): Promise<void>;
}

/** The emulator, or the real server named by `MONGODB_URI` when set. */
export async function startMongoTarget(prefix = 'gwctl-test'): Promise<MongoTarget> {
  const database = `${prefix}-${randomBytes(4).toString('hex')}`;
  const emulator = usingRealMongo ? undefined : await startMongoEmulator();
  const uri = process.env.MONGODB_URI ?? emulator!.uri;
  const client = await new MongoClient(uri, { serverSelectionTimeoutMS: 5000 }).connect();
  return {
    uri,
    database,
    emulator,
    client,
    async close() {
      if (usingRealMongo) await client.db(database).dropDatabase();
      await client.close();
      await emulator?.close();
    },
  };
}
