import pLimit from 'p-limit';
import {
  bytesEqual,
  decodeEntryBundle,
  emptyRoot,
  encodeBase64,
  leafHash,
  openCheckpoint,
  parseNote,
  rangeNodes,
  rootFromLeafHashes,
  TileHashReader,
  type Checkpoint,
  type NoteVerifier,
} from '../../tlog/index.js';
import { batchesOf, batchTampered, seqName, SEQ_DIR } from './batches.js';
import { bundlePaths } from './edge.js';
import type { LogStore } from './log-store.js';
import { CHECKPOINT, type SeenCheckpoint } from './shared-log.js';
import { cosignaturePath, readCosignatures, type Cosigned } from './cosignatures.js';

export type LogProblemKind =
  'checkpoint' | 'entry-bundle' | 'entry' | 'tile' | 'root' | 'rollback' | 'rewritten' | 'batch';

export interface LogProblem {
  kind: LogProblemKind;
  /** The first entry index the problem touches, when it is about entries. */
  index?: number;
  /** The object at fault. */
  path?: string;
  message: string;
}

export interface LogVerdict {
  ok: boolean;
  size: number;
  /** Base64, as in the checkpoint. */
  rootHash: string;
  note: string;
  problems: LogProblem[];
  /** The lowest index any problem touches. */
  firstBadIndex?: number;
  /** Every entry, for `audit show`; entries of bundles that failed are left out. */
  entries: { index: number; bytes: Uint8Array }[];
  cosigned: Cosigned[];
  /** The checkpoint this machine had seen before, checked for consistency. */
  seen?: { size: number; consistent: boolean };
  /** The verified tree's compact range (base64), kept with the checkpoint once this machine has seen it. */
  nodes?: string[];
}

export interface VerifyOptions {
  store: LogStore;
  origin: string;
  verifier: NoteVerifier;
  /** The last checkpoint this machine saw (signed by the same key): the log must extend it. */
  seen?: SeenCheckpoint;
  /** Witnesses whose cosignatures are checked; others are listed as unverified. */
  witnesses?: NoteVerifier[];
  concurrency?: number;
}

/**
 * Checks a whole log as any C2SP tlog-tiles reader would: the checkpoint's signature, every entry bundle
 * against the level-0 hash tiles, every tile against its parent up to the signed root, the root recomputed
 * from all entries, and consistency with the checkpoint this machine saw last (a rewritten history, even
 * re-signed, is not an extension of it). Reports every problem with the entry index it touches.
 */
export async function verifySharedLog(o: VerifyOptions): Promise<LogVerdict> {
  const problems: LogProblem[] = [];
  const verdict = (size: number, rootHash: Uint8Array, note: string, extra: Partial<LogVerdict> = {}): LogVerdict => {
    const indexes = problems.flatMap((p) => (p.index === undefined ? [] : [p.index]));
    return {
      ok: problems.length === 0,
      size,
      rootHash: encodeBase64(rootHash),
      note,
      problems,
      ...(indexes.length ? { firstBadIndex: Math.min(...indexes) } : {}),
      entries: [],
      cosigned: [],
      ...extra,
    };
  };
  const object = await o.store.get(CHECKPOINT);
  const seen = o.seen ? openSeen(o.seen.note, o) : undefined;
  if (!object) {
    if (seen && seen.size > 0)
      problems.push({
        kind: 'rollback',
        path: CHECKPOINT,
        message: `the checkpoint is gone; this machine saw one of size ${seen.size}`,
      });
    return verdict(0, emptyRoot(), '');
  }
  const note = Buffer.from(object.data).toString('utf8');
  let checkpoint: Checkpoint;
  try {
    ({ checkpoint } = openCheckpoint(note, [o.verifier], o.origin));
  } catch (err) {
    problems.push({ kind: 'checkpoint', path: CHECKPOINT, message: `${CHECKPOINT}: ${(err as Error).message}` });
    return verdict(0, emptyRoot(), note);
  }
  const { size, rootHash } = checkpoint;
  const reader = new TileHashReader({ size, rootHash }, async (path) => {
    const got = await o.store.get(path);
    if (!got) throw new Error(`${path} is missing`);
    return got.data;
  });
  const limit = pLimit(o.concurrency ?? 16);
  const leaves: (Uint8Array | undefined)[] = Array.from({ length: size }, () => undefined);
  const entries: { index: number; bytes: Uint8Array }[] = [];
  await Promise.all(
    bundlePaths(size).map(({ path, first, width }) =>
      limit(async () => {
        let bundle: Uint8Array[];
        try {
          const got = await o.store.get(path);
          if (!got) throw new Error('missing');
          bundle = decodeEntryBundle(got.data, width);
        } catch (err) {
          problems.push({ kind: 'entry-bundle', index: first, path, message: `${path}: ${(err as Error).message}` });
          return;
        }
        for (let i = 0; i < bundle.length; i++) {
          const index = first + i;
          const leaf = leafHash(bundle[i]!);
          leaves[index] = leaf;
          let expected: Uint8Array;
          try {
            expected = await reader.leafHash(index);
          } catch (err) {
            problems.push({ kind: 'tile', index, message: `entry ${index}: ${(err as Error).message}` });
            return; // the rest of the bundle hangs on the same tiles
          }
          if (!bytesEqual(leaf, expected)) {
            problems.push({
              kind: 'entry',
              index,
              path,
              message: `entry ${index} (${path}) does not match its hash in the tiles: it was changed`,
            });
            continue;
          }
          entries.push({ index, bytes: bundle[i]! });
        }
      }),
    ),
  );
  // A cross-check of the per-entry one: all entries, hashed as RFC 6962 says, give the signed root.
  if (problems.length === 0 && !bytesEqual(rootFromLeafHashes(leaves as Uint8Array[]), rootHash))
    problems.push({ kind: 'root', message: `the ${size} entries do not hash to the checkpoint's root` });
  let seenResult: LogVerdict['seen'];
  if (seen) {
    let consistent = false;
    if (seen.size > size)
      problems.push({
        kind: 'rollback',
        message: `the log has ${size} entries, but this machine saw a checkpoint of ${seen.size}: it was cut back`,
      });
    else {
      const old = await reader.rootAt(seen.size).catch(() => undefined);
      consistent = old !== undefined && bytesEqual(old, seen.rootHash);
      if (!consistent) {
        const changed = await changedRange(reader, seen.size, o.seen?.nodes);
        const where = changed ? `: entries ${changed.first}..${changed.last} differ from what it saw` : '';
        problems.push({
          kind: 'rewritten',
          ...(changed ? { index: changed.first } : {}),
          message: `the log does not extend the checkpoint of size ${seen.size} this machine saw, so its history was rewritten${where}`,
        });
      }
    }
    seenResult = { size: seen.size, consistent };
  }
  entries.sort((a, b) => a.index - b.index);
  const [cosigned, nodes] = await Promise.all([
    readCosignatures(o.store, note, o.witnesses ?? []),
    Promise.all(rangeNodes(0, size).map(async (n) => encodeBase64(await reader.nodeHash(n)))).catch(() => undefined),
  ]);
  problems.push(
    ...(await cosignedElsewhere(reader, size, o.origin, cosigned)),
    ...(await editedBatches(o.store, size)),
  );
  return verdict(size, rootHash, note, {
    entries,
    cosigned,
    ...(seenResult ? { seen: seenResult } : {}),
    ...(nodes ? { nodes } : {}),
  });
}

/**
 * A witness's cosignature is a checkpoint it checked and vouched for: the tree must still have that root at
 * that size. One that differs proves the history was rewritten after the witness saw it, even on a machine
 * that never saw a checkpoint itself. Only verified cosignatures count (anyone can write an unverified one);
 * one larger than the log may just be newer than the checkpoint read, so it is left to the witness.
 */
async function cosignedElsewhere(
  reader: TileHashReader,
  size: number,
  origin: string,
  cosigned: readonly Cosigned[],
): Promise<LogProblem[]> {
  const problems: LogProblem[] = [];
  for (const c of cosigned) {
    if (!c.verified || c.rootHash === undefined || c.size > size) continue;
    const root = await reader.rootAt(c.size).catch(() => undefined);
    if (root === undefined) continue; // the tiles are broken: reported already
    if (c.origin === origin && encodeBase64(root) === c.rootHash) continue;
    problems.push({
      kind: 'rewritten',
      path: cosignaturePath(c.witness),
      message:
        c.origin === origin
          ? `witness ${c.witness} cosigned a checkpoint of size ${c.size} whose root the log no longer has: its history was rewritten after the witness saw it`
          : `witness ${c.witness} cosigned a checkpoint for origin ${JSON.stringify(c.origin)}, not this log's`,
    });
  }
  return problems;
}

/** Sequenced batches not yet integrated whose metadata was edited since: no integrator will take them. */
async function editedBatches(store: LogStore, size: number): Promise<LogProblem[]> {
  const listed = await store.list(SEQ_DIR, seqName(size));
  return [...batchesOf(listed).values()].flatMap((b) => {
    const message = batchTampered(b);
    return message ? [{ kind: 'batch' as const, index: b.start, path: seqName(b.start), message }] : [];
  });
}

function openSeen(note: string, o: VerifyOptions): Checkpoint | undefined {
  try {
    return openCheckpoint(note, [o.verifier], o.origin).checkpoint;
  } catch {
    return undefined;
  }
}

/**
 * Where a rewrite happened: the first subtree of the seen tree's compact range whose hash the log no longer
 * has. Without the old entries that is as close as anyone can say; the entries before it are as they were.
 */
async function changedRange(
  reader: TileHashReader,
  size: number,
  nodes: readonly string[] | undefined,
): Promise<{ first: number; last: number } | undefined> {
  const range = rangeNodes(0, size);
  if (!nodes || nodes.length !== range.length) return undefined;
  for (let i = 0; i < range.length; i++) {
    const node = range[i]!;
    const now = await reader.nodeHash(node).catch(() => undefined);
    if (!now || encodeBase64(now) !== nodes[i]) {
      const first = node.index * 2 ** node.level;
      return { first, last: first + 2 ** node.level - 1 };
    }
  }
  return undefined;
}

/** The parsed signatures of a note, or none when it is not one (for listing who signed what). */
export function signatureNames(note: string): string[] {
  try {
    return parseNote(note).signatures.map((s) => s.name);
  } catch {
    return [];
  }
}
