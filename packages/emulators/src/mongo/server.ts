import { createServer, type AddressInfo, type Socket } from 'node:net';
import { BSON, EJSON } from 'bson';
import { FaultInjector } from '../common/faults.js';
import { RequestLog, startRecording, type InjectedFault } from '../common/request-log.js';
import { describeCommand, runCommand } from './commands.js';
import { CursorRegistry } from './cursors.js';
import { ErrorCodes, MongoCommandError } from './errors.js';
import { DebouncedFlusher, loadDatabases } from './persistence.js';
import { MongoStore } from './store.js';
import { withId } from './update.js';
import { EXACT, type Doc } from './values.js';
import { decodeRequest, encodeReply, messageLength, type WireRequest } from './wire.js';

export interface MongoEmulatorOptions {
  /** 0 (default) lets the OS pick. */
  port?: number;
  /** Directory of `<db>.ejson` files: loaded at start, rewritten (debounced) after each change. */
  dataDir?: string;
  log?: RequestLog;
  faults?: FaultInjector;
}

export interface MongoEmulator {
  /** `mongodb://127.0.0.1:<port>/?directConnection=true`: no credentials, no TLS. */
  uri: string;
  port: number;
  log: RequestLog;
  faults: FaultInjector;
  /**
   * Inserts documents directly (no request recorded, no fault), creating the collection if needed. They are
   * written in canonical Extended JSON (`{$oid}`, `{$binary}`, `{$date}`, ...), as mongoimport reads them.
   */
  seed(db: string, collection: string, docs: Doc[]): void;
  close(): Promise<void>;
}

/** Messages larger than this are a protocol error, as on mongod. */
const MAX_MESSAGE_BYTES = 48_000_000;

/** Handshake and heartbeat commands: never faulted, so the driver can always (re)discover the server. */
const NEVER_FAULTED = new Set(['hello', 'ismaster', 'isMaster', 'endSessions']);

/**
 * A MongoDB server on 127.0.0.1 that speaks enough of the wire protocol for the official driver:
 * handshake, find/getMore cursors, counts, inserts, updates, deletes and collection admin.
 */
export async function startMongoEmulator(opts: MongoEmulatorOptions = {}): Promise<MongoEmulator> {
  const log = opts.log ?? new RequestLog();
  const faults = opts.faults ?? new FaultInjector();
  let flusher: DebouncedFlusher | undefined;
  const store = new MongoStore((db) => flusher?.markDirty(db));
  if (opts.dataDir) {
    loadDatabases(opts.dataDir, store);
    flusher = new DebouncedFlusher(opts.dataDir, store);
  }
  const cursors = new CursorRegistry();
  const sockets = new Set<Socket>();
  let connections = 0;
  let replies = 0;

  const server = createServer((socket) => {
    const connectionId = ++connections;
    sockets.add(socket);
    // Replies are single writes; Nagle plus delayed ACKs would add ~40-200 ms to every round trip.
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      for (let len = messageLength(pending); len >= 0 && pending.length >= len; len = messageLength(pending)) {
        if (len < 16 || len > MAX_MESSAGE_BYTES) return void socket.destroy();
        const message = pending.subarray(0, len);
        pending = pending.subarray(len);
        if (!handle(socket, connectionId, message)) return;
      }
    });
  });

  /** Answers one message; false when the connection was dropped. */
  function handle(socket: Socket, connectionId: number, message: Buffer): boolean {
    const started = Date.now();
    let request: WireRequest;
    try {
      request = decodeRequest(message);
    } catch {
      socket.destroy();
      return false;
    }
    const { name, path } = describeCommand(request.db, request.command);
    const fault = NEVER_FAULTED.has(name) ? undefined : faults.decide(name);
    const record = startRecording(log, { service: 'mongodb', method: name, path, fault }, started);
    if (fault === 'reset') {
      record(0);
      socket.destroy();
      return false;
    }
    let reply: Doc;
    try {
      reply = fault
        ? injectedError(fault).toReply()
        : runCommand({ store, cursors, connectionId }, request.db, request.command);
    } catch (err) {
      reply =
        err instanceof MongoCommandError
          ? err.toReply()
          : { ok: 0, errmsg: String((err as Error).message ?? err), code: 1, codeName: 'InternalError' };
    }
    record(reply.ok === 1 ? 0 : Number(reply.code ?? 1));
    if (!request.noReply) socket.write(encodeReply(request, ++replies, reply));
    return true;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    uri: `mongodb://127.0.0.1:${port}/?directConnection=true`,
    port,
    log,
    faults,
    seed(db, collection, docs) {
      const coll = store.ensureCollection(db, collection);
      for (const doc of docs)
        coll.insert(withId(BSON.deserialize(BSON.serialize(EJSON.deserialize(doc, { relaxed: false })), EXACT)));
      store.changed(db);
    },
    close: () =>
      new Promise<void>((resolve) => {
        flusher?.flush();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** 429 → the ingress rate limiter's retryable overload error; 503 → a shutting-down node (the driver rediscovers). */
function injectedError(fault: Exclude<InjectedFault, 'reset'>): MongoCommandError {
  if (fault === '429') {
    return new MongoCommandError(
      ErrorCodes.IngressRequestRateLimitExceeded,
      'IngressRequestRateLimitExceeded',
      'rate limit exceeded (injected)',
      ['SystemOverloadedError', 'RetryableError'],
    );
  }
  return new MongoCommandError(
    ErrorCodes.ShutdownInProgress,
    'ShutdownInProgress',
    'the server is shutting down (injected)',
  );
}
