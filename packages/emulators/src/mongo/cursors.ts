import { BSON, Long } from 'bson';
import { ErrorCodes, MongoCommandError } from './errors.js';
import type { Doc } from './values.js';

const DEFAULT_FIRST_BATCH = 101;
/** Keep a batch well under the 16 MiB reply limit, as the server does. */
const MAX_BATCH_BYTES = 15 * 1024 * 1024;

interface OpenCursor {
  ns: string;
  remaining: Doc[];
}

/** Results held between `find`/`aggregate` and `getMore`, snapshotted when the cursor opens. */
export class CursorRegistry {
  private readonly open = new Map<string, OpenCursor>();
  private next = 1n;

  /** The `cursor` reply of a query: the first batch, and an id when more remain. */
  start(ns: string, docs: Doc[], batchSize: number | undefined, singleBatch = false): Doc {
    const first = takeBatch(docs, batchSize ?? DEFAULT_FIRST_BATCH);
    let id = Long.ZERO;
    if (!singleBatch && first.length < docs.length) {
      id = Long.fromBigInt(this.next++);
      this.open.set(id.toString(), { ns, remaining: docs.slice(first.length) });
    }
    return { cursor: { firstBatch: first, id, ns }, ok: 1 };
  }

  getMore(id: Long, ns: string, batchSize: number | undefined): Doc {
    const cursor = this.open.get(id.toString());
    if (!cursor || cursor.ns !== ns) {
      throw new MongoCommandError(ErrorCodes.CursorNotFound, 'CursorNotFound', `cursor id ${id.toString()} not found`);
    }
    const batch = takeBatch(cursor.remaining, batchSize ?? Number.MAX_SAFE_INTEGER);
    cursor.remaining = cursor.remaining.slice(batch.length);
    const done = cursor.remaining.length === 0;
    if (done) this.open.delete(id.toString());
    return { cursor: { nextBatch: batch, id: done ? Long.ZERO : id, ns }, ok: 1 };
  }

  kill(ids: Long[]): Doc {
    const killed: Long[] = [];
    const notFound: Long[] = [];
    for (const id of ids) (this.open.delete(id.toString()) ? killed : notFound).push(id);
    return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
  }
}

function takeBatch(docs: Doc[], batchSize: number): Doc[] {
  const limit = batchSize > 0 ? batchSize : Number.MAX_SAFE_INTEGER;
  const out: Doc[] = [];
  let bytes = 0;
  for (const doc of docs) {
    if (out.length >= limit) break;
    bytes += BSON.calculateObjectSize(doc);
    if (out.length > 0 && bytes > MAX_BATCH_BYTES) break;
    out.push(doc);
  }
  return out;
}
