import { decodeBase64, decodeEntryBundle, encodeBase64, encodeEntryBundle, TILE_WIDTH } from '../../tlog/index.js';
import type { ListedObject } from './log-store.js';

/**
 * Sequenced batches: `seq/<16-digit index>` holds the entries from that index on, length-prefixed as in an
 * entry bundle. Creating it with ifGenerationMatch=0 IS taking those indexes: the object exists once, and
 * only one writer can create it. A batch is written only at the end of the batch before it (or at 0), so the
 * batches tile the indexes with no gap and no overlap; integrators walk them from the checkpoint's size.
 * Never deleted: the listing from the checkpoint's size on is the queue of what is not integrated yet.
 */

export const SEQ_DIR = 'seq/';
/** At most one entry bundle's worth, so a batch never spans more than the bundles it can fill. */
export const MAX_BATCH = TILE_WIDTH;
/**
 * Batches this small ride in the object's metadata too, so one listing hands an integrator every pending entry.
 * GCS takes at most 4 KiB per custom metadata value and 8 KiB in all (google.storage.v2 ServiceConstants): 3,072
 * bytes are 4,096 in base64, which with `count` stays under both. Larger batches are read from the object.
 */
export const INLINE_MAX_BYTES = 3 * 1024;

export const seqName = (index: number) => `${SEQ_DIR}${String(index).padStart(16, '0')}`;

export interface Batch {
  start: number;
  count: number;
  /** The batch's bytes, when known without reading the object. */
  body?: Uint8Array;
  /**
   * The object's metageneration when it is not 1: its metadata (which may carry the bytes) was edited after it
   * was sequenced, with the generation, and so the create's precondition, unchanged. Never integrated.
   */
  edited?: string;
}

export function encodeBatch(entries: readonly Uint8Array[]): { body: Uint8Array; metadata: Record<string, string> } {
  if (entries.length < 1 || entries.length > MAX_BATCH)
    throw new RangeError(`a batch holds 1..${MAX_BATCH} entries, got ${entries.length}`);
  const body = encodeEntryBundle(entries);
  return {
    body,
    metadata: {
      count: String(entries.length),
      ...(body.length <= INLINE_MAX_BYTES ? { body: encodeBase64(body) } : {}),
    },
  };
}

export function decodeBatch(batch: Batch, body: Uint8Array): Uint8Array[] {
  try {
    return decodeEntryBundle(body, batch.count);
  } catch (err) {
    throw new Error(`${seqName(batch.start)} is not a batch of ${batch.count} entries: ${(err as Error).message}`);
  }
}

/** The batches a listing of `seq/` shows; objects that are not batches (bad name or count) are left out. */
export function batchesOf(listed: readonly ListedObject[]): Map<number, Batch> {
  const out = new Map<number, Batch>();
  for (const o of listed) {
    const m = /^seq\/(\d{16})$/.exec(o.name);
    const count = Number(o.metadata.count);
    if (!m || !Number.isInteger(count) || count < 1 || count > MAX_BATCH) continue;
    const start = Number(m[1]);
    const body = o.metadata.body === undefined ? undefined : decodeBase64(o.metadata.body);
    const edited = o.metageneration === '1' ? undefined : o.metageneration;
    out.set(start, { start, count, ...(body ? { body } : {}), ...(edited ? { edited } : {}) });
  }
  return out;
}

/** The batches from `from` on, one after the other, as far as they go without a gap. */
export function walkBatches(batches: ReadonlyMap<number, Batch>, from: number): Batch[] {
  const chain: Batch[] = [];
  for (let at = from, b = batches.get(at); b; at += b.count, b = batches.get(at)) chain.push(b);
  return chain;
}

/** Why a batch cannot be integrated as listed, if it cannot. */
export const batchTampered = (b: Batch) =>
  b.edited === undefined
    ? undefined
    : `${seqName(b.start)} was edited after it was sequenced (metageneration ${b.edited}, not 1): its entries ${b.start}..${b.start + b.count - 1} cannot be trusted`;

export const batchEnd = (chain: readonly Batch[], from: number) =>
  chain.length ? chain.at(-1)!.start + chain.at(-1)!.count : from;
