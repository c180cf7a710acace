import {
  bytesEqual,
  openCheckpoint,
  parseNote,
  signNote,
  TileHashReader,
  treeRootFromTiles,
  type Checkpoint,
  type NoteSigner,
  type NoteVerifier,
} from '../../tlog/index.js';
import { cosignaturePath } from './cosignatures.js';
import type { LogStore } from './log-store.js';
import { CHECKPOINT } from './shared-log.js';

/** Where a witness keeps the last checkpoint it cosigned: a local file, or an object in its own bucket. */
export interface WitnessState {
  load(): Promise<string | undefined>;
  save(note: string): Promise<void>;
}

export interface WitnessOptions {
  /** The log's objects (read; and `cosignature/<witness>` written). */
  store: LogStore;
  /** The log's verifier key: its name is the log's origin. */
  log: NoteVerifier;
  /** The witness's cosigner (a type 0x04 or Ed25519 signer key). */
  cosigner: NoteSigner;
  state: WitnessState;
}

export interface WitnessResult {
  status: 'cosigned' | 'refused';
  size: number;
  /** The size this witness had cosigned before (absent on its first run). */
  previous?: number;
  /** Where the cosigned checkpoint was published. */
  published?: string;
  reason?: string;
}

/**
 * One witness round (C2SP tlog-witness's duty, over tlog-tiles instead of its HTTP API): read the log's
 * checkpoint, check its signature, and check that it extends the last checkpoint this witness cosigned: the
 * tiles are authenticated against the new root and must give the old root at the old size, which is what a
 * consistency proof shows. Only then cosign (C2SP tlog-cosignature, cosignature/v1) and publish the checkpoint
 * with the log's signature and ours at `cosignature/<witness>`. A log that was cut back, forked or rewritten
 * is refused: nothing is published and the witness's state keeps the last good checkpoint.
 */
export async function witnessLog(o: WitnessOptions): Promise<WitnessResult> {
  const object = await o.store.get(CHECKPOINT);
  if (!object) throw new Error(`${o.store.location}${CHECKPOINT} does not exist: nothing to witness`);
  const note = Buffer.from(object.data).toString('utf8');
  let current: Checkpoint;
  try {
    ({ checkpoint: current } = openCheckpoint(note, [o.log], o.log.name));
  } catch (err) {
    return refused(0, `the checkpoint does not verify under the log's key: ${(err as Error).message}`);
  }
  const readTile = async (path: string) => {
    const got = await o.store.get(path);
    if (!got) throw new Error(`${path} is missing`);
    return got.data;
  };
  const edgeRoot = await treeRootFromTiles(current.size, readTile).catch(() => undefined);
  if (!edgeRoot || !bytesEqual(edgeRoot, current.rootHash))
    return refused(current.size, "the log's tiles do not hash to its checkpoint's root");
  const before = await o.state.load();
  let previous: Checkpoint | undefined;
  if (before) {
    previous = openCheckpoint(before, [o.log], o.log.name).checkpoint;
    if (current.size < previous.size)
      return refused(current.size, `the log shrank from ${previous.size} to ${current.size} entries`, previous.size);
    const old = await new TileHashReader(current, readTile).rootAt(previous.size).catch(() => undefined);
    if (!old || !bytesEqual(old, previous.rootHash))
      return refused(
        current.size,
        `the checkpoint of size ${current.size} is not consistent with the one of size ${previous.size} this witness cosigned: the log forked or its history was rewritten`,
        previous.size,
      );
  }
  const { text, signatures } = parseNote(note);
  const cosigned = await signNote(text, [o.cosigner], signatures);
  const published = cosignaturePath(o.cosigner.name);
  await o.store.put(published, Buffer.from(cosigned), { contentType: 'text/plain; charset=utf-8' });
  await o.state.save(note);
  return {
    status: 'cosigned',
    size: current.size,
    ...(previous ? { previous: previous.size } : {}),
    published: `${o.store.location}${published}`,
  };
}

function refused(size: number, reason: string, previous?: number): WitnessResult {
  return { status: 'refused', size, reason, ...(previous !== undefined ? { previous } : {}) };
}
