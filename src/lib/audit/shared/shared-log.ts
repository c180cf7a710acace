import { setTimeout as sleep } from 'node:timers/promises';
import {
  appendToBundles,
  appendToTiles,
  bytesEqual,
  decodeEntryBundle,
  decodeHashTile,
  div,
  emptyRoot,
  entryBundlePath,
  encodeBase64,
  leafHash,
  openCheckpoint,
  signCheckpoint,
  TILE_WIDTH,
  TileHashReader,
  tilePath,
  treeRootFromTiles,
  type NoteSigner,
  type NoteVerifier,
} from '../../tlog/index.js';
import {
  batchEnd,
  batchesOf,
  batchTampered,
  decodeBatch,
  encodeBatch,
  seqName,
  SEQ_DIR,
  walkBatches,
  type Batch,
} from './batches.js';
import { edgeNodes, edgePaths } from './edge.js';
import type { LogStore } from './log-store.js';

export const CHECKPOINT = 'checkpoint';

/** A checkpoint as read (or written), with the right-edge tiles that extend it. */
export interface LogState {
  size: number;
  rootHash: Uint8Array;
  /** The signed note; empty for a log with no checkpoint yet. */
  note: string;
  /** The checkpoint object's generation, for the next compare-and-swap; '0' when there is none. */
  generation: string;
  edge: Map<string, Uint8Array>;
}

/** The log's bytes disagree with its signed checkpoint: nobody may extend it until `audit verify` says why. */
export class TamperedLogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TamperedLogError';
  }
}

/** The last checkpoint a machine saw of a log, and the hashes of its compact range (edgeNodes), base64. */
export interface SeenCheckpoint {
  note: string;
  nodes?: string[];
}

/** Where a machine keeps the last checkpoint it saw (the base of its rollback and rewrite checks). */
export interface SeenCheckpoints {
  load(): SeenCheckpoint | undefined;
  save(seen: SeenCheckpoint, size: number): void;
}

export interface SharedLogOptions {
  store: LogStore;
  origin: string;
  /** The log's public key: every checkpoint read is checked against it before anything is built on it. */
  verifier: NoteVerifier;
  /** The log's signing key, fetched on first use (a file read, or Cloud KMS). Absent: read-only. */
  signer?: () => Promise<NoteSigner>;
  seen?: SeenCheckpoints;
  /** Compare-and-swap losses before giving up (each one means another writer made progress). */
  maxAttempts?: number;
}

/**
 * A C2SP tlog-tiles log in an object store, appended to by any number of writers at once: "sequence,
 * then integrate" (Trillian Tessera's model) on generation preconditions.
 *
 * - sequence: create `seq/<n>` only if absent (see batches.ts). Durable at once; the entries have their indexes.
 * - integrate: anyone, any time, extends the checkpoint over the sequenced batches: tiles and bundles are a pure
 *   function of the entries, so concurrent integrators write identical bytes; then the checkpoint is replaced
 *   only if it is still the generation read. A loser re-reads; the tree never forks.
 * A writer killed anywhere leaves at most sequenced entries (the next integrator takes them) or tiles no
 * checkpoint points to yet (rewritten identically): the checkpoint always names a complete tree.
 */
export class SharedLog {
  readonly store: LogStore;
  readonly origin: string;
  /** What this process knows of `seq/`: batches from listings and its own. */
  private readonly batches = new Map<number, Batch>();
  /** The newest state this process read or wrote. */
  private latest: LogState | undefined;
  private signer: Promise<NoteSigner> | undefined;
  /** The last checkpoint this machine saw; null: none. */
  private seen: { size: number; rootHash: Uint8Array } | null | undefined;
  /** Roots known to extend what this machine saw. */
  private readonly vouched = new Set<string>();
  private readonly checks = new Map<string, Promise<void>>();

  constructor(private readonly o: SharedLogOptions) {
    this.store = o.store;
    this.origin = o.origin;
  }

  /**
   * Sequences one batch of entries, built by `make` for the index they land at, right after the end of the
   * sequenced log: one read round trip (checkpoint, listing and the right edge, in parallel) unless `after`
   * names the end of a batch this process sequenced, then one create. Returns where it landed and the log
   * state read on the way, from which integrate() goes on.
   */
  async sequence(
    make: (index: number) => Uint8Array[],
    after?: number,
  ): Promise<{ start: number; count: number; state?: LogState }> {
    let state: LogState | undefined;
    let at = after;
    if (at === undefined) {
      const guess = this.latest?.size ?? this.seenSize() ?? 0;
      const [read] = await Promise.all([this.readState(guess), this.listFrom(guess)]);
      state = read;
      if (read.size < guess) await this.listFrom(read.size); // the guess was ahead of the log: list from its size
      at = batchEnd(walkBatches(this.batches, read.size), read.size);
    }
    for (let attempt = 0; ; attempt++) {
      const entries = make(at);
      const { body, metadata } = encodeBatch(entries);
      const created = await this.store.put(seqName(at), body, { ifGenerationMatch: '0', metadata });
      if (created === undefined) {
        // Taken, by another writer or by our own create retried after its answer was lost (then the bytes are ours).
        await this.listFrom(at);
        if (!(await this.holds(at, body))) {
          if (attempt >= (this.o.maxAttempts ?? 100)) throw new Error(`could not sequence after ${attempt} attempts`);
          at = batchEnd(walkBatches(this.batches, at), at);
          continue;
        }
      }
      this.batches.set(at, { start: at, count: entries.length, body });
      return { start: at, count: entries.length, ...(state ? { state } : {}) };
    }
  }

  /**
   * Makes the signed checkpoint cover at least the first `target` entries, integrating every batch sequenced
   * up to there (others' too). `known` is a state read earlier, tried first. Returns the checkpoint written or
   * found; never returns before the checkpoint covers `target`.
   */
  async integrate(target: number, known?: LogState): Promise<LogState> {
    let state = known ?? this.latest;
    let guess = this.latest?.size ?? this.seenSize();
    for (let attempt = 0; ; attempt++) {
      state ??= await this.readState(guess);
      if (state.size >= target) return this.remember(state);
      const chain = await this.pendingUpTo(state.size, target);
      const entries = (await Promise.all(chain.map((b) => this.batchEntries(b)))).flat();
      const next = await this.extend(state, entries);
      if (next) return this.remember(next, state);
      if (attempt >= (this.o.maxAttempts ?? 100))
        throw new Error(`the checkpoint kept changing under ${attempt} attempts to integrate`);
      // Lost the race: someone else integrated, most likely the same batches. Back off a little once it recurs.
      if (attempt > 0) await sleep(Math.random() * 5 * attempt);
      guess = state.size + entries.length;
      state = undefined;
      this.latest = undefined;
    }
  }

  /** Integrates whatever is sequenced and not yet in the checkpoint (a killed writer's entries). */
  async integratePending(): Promise<LogState> {
    const state = await this.readState(this.latest?.size ?? this.seenSize());
    await this.listFrom(state.size);
    const end = batchEnd(walkBatches(this.batches, state.size), state.size);
    return end > state.size ? this.integrate(end, state) : this.remember(state);
  }

  /** Entries sequenced beyond the checkpoint's size (as far as a fresh listing shows). */
  async pendingCount(size: number): Promise<number> {
    await this.listFrom(size);
    return batchEnd(walkBatches(this.batches, size), size) - size;
  }

  /**
   * The current checkpoint, verified, with its right edge, which must hash to its root. `guess` is a size to
   * read the edge of at the same time as the checkpoint (a second round trip when it was wrong).
   */
  async readState(guess?: number): Promise<LogState> {
    const [object, guessed] = await Promise.all([
      this.store.get(CHECKPOINT),
      guess !== undefined && guess > 0 ? this.readEdge(guess).catch(() => undefined) : undefined,
    ]);
    if (!object) {
      if (this.seenSize())
        throw new TamperedLogError(
          `${this.store.location}: the log has no checkpoint, yet this machine saw one of size ${this.seenSize()}: it was deleted`,
        );
      return { size: 0, rootHash: emptyRoot(), note: '', generation: '0', edge: new Map() };
    }
    const note = Buffer.from(object.data).toString('utf8');
    let checkpoint;
    try {
      ({ checkpoint } = openCheckpoint(note, [this.o.verifier], this.origin));
    } catch (err) {
      throw new TamperedLogError(`${this.store.location}${CHECKPOINT}: ${(err as Error).message}`);
    }
    const seen = this.seenHead();
    if (seen && checkpoint.size < seen.size)
      throw new TamperedLogError(
        `${this.store.location}: the checkpoint has ${checkpoint.size} entries, but this machine saw ${seen.size}: the log was rolled back`,
      );
    if (seen && checkpoint.size === seen.size && !bytesEqual(checkpoint.rootHash, seen.rootHash))
      throw new TamperedLogError(
        `${this.store.location}: the checkpoint of size ${seen.size} is not the one this machine saw: the log forked or was rewritten`,
      );
    const edge = guess === checkpoint.size && guessed ? guessed : await this.readEdge(checkpoint.size);
    const root = await treeRootFromTiles(checkpoint.size, async (p) => edge.get(p)!).catch(() => undefined);
    if (!root || !bytesEqual(root, checkpoint.rootHash))
      throw new TamperedLogError(
        `${this.store.location}: the tiles at the log's right edge do not hash to its checkpoint's root`,
      );
    // The partial entry bundle is carried into the next one: its entries must be the ones the tiles hash.
    if (!edgeBundleMatches(checkpoint.size, edge))
      throw new TamperedLogError(
        `${this.store.location}: the entries of the log's last bundle do not match their hashes in the tiles`,
      );
    return this.remember({
      size: checkpoint.size,
      rootHash: checkpoint.rootHash,
      note,
      generation: object.generation,
      edge,
    });
  }

  private async readEdge(size: number): Promise<Map<string, Uint8Array>> {
    const paths = edgePaths(size);
    const objects = await Promise.all(paths.map((p) => this.store.get(p)));
    const edge = new Map<string, Uint8Array>();
    objects.forEach((o, i) => {
      if (!o) throw new TamperedLogError(`${this.store.location}${paths[i]} is missing`);
      edge.set(paths[i]!, o.data);
    });
    return edge;
  }

  /** Appends `entries` to the tree of `state`: tiles and bundles written, then the checkpoint swapped in. */
  private async extend(state: LogState, entries: Uint8Array[]): Promise<LogState | undefined> {
    const read = async (p: string) => {
      const data = state.edge.get(p);
      if (!data) throw new Error(`bad tile math: ${p} is not on the edge of a tree of size ${state.size}`);
      return data;
    };
    const [tiles, bundles] = await Promise.all([
      appendToTiles(state.size, entries.map(leafHash), read),
      appendToBundles(state.size, entries, read),
    ]);
    const size = state.size + entries.length;
    const all = new Map([...state.edge, ...tiles, ...bundles]);
    const rootHash = await treeRootFromTiles(size, async (p) => all.get(p)!);
    const signing = this.sign(size, rootHash);
    await Promise.all(
      [...tiles, ...bundles].map(([p, data]) => this.store.put(p, data, { contentType: 'application/octet-stream' })),
    );
    const note = await signing;
    const generation = await this.store.put(CHECKPOINT, Buffer.from(note), {
      ifGenerationMatch: state.generation,
      contentType: 'text/plain; charset=utf-8',
    });
    if (generation === undefined) return undefined;
    const edge = new Map(edgePaths(size).map((p) => [p, all.get(p)!]));
    return { size, rootHash, note, generation, edge };
  }

  private async sign(size: number, rootHash: Uint8Array): Promise<string> {
    if (!this.o.signer) throw new Error(`no signing key for ${this.origin}: this log is read-only here`);
    this.signer ??= this.o.signer();
    this.signer.catch(() => (this.signer = undefined));
    return signCheckpoint({ origin: this.origin, size, rootHash }, [await this.signer]);
  }

  /** The batches from `from` up to (at least) `target`, listing again when what is known stops short. */
  private async pendingUpTo(from: number, target: number): Promise<Batch[]> {
    let chain = walkBatches(this.batches, from);
    if (batchEnd(chain, from) < target) {
      await this.listFrom(from);
      chain = walkBatches(this.batches, from);
    }
    if (batchEnd(chain, from) < target)
      throw new TamperedLogError(
        `${this.store.location}: entries ${batchEnd(chain, from)}..${target - 1} were sequenced but their batch is gone`,
      );
    return chain;
  }

  private async batchEntries(b: Batch): Promise<Uint8Array[]> {
    const tampered = batchTampered(b);
    if (tampered) throw new TamperedLogError(`${this.store.location}${tampered}`);
    if (!b.body) {
      const o = await this.store.get(seqName(b.start));
      if (!o) throw new TamperedLogError(`${this.store.location}${seqName(b.start)} is gone`);
      b.body = o.data;
    }
    return decodeBatch(b, b.body);
  }

  /** Whether the batch at `at` holds exactly `body` (entries carry their time and run, so only ours can). */
  private async holds(at: number, body: Uint8Array): Promise<boolean> {
    const b = this.batches.get(at);
    if (!b) return false;
    const data = b.body ?? (await this.store.get(seqName(at)))?.data;
    return data !== undefined && bytesEqual(data, body);
  }

  private async listFrom(from: number): Promise<void> {
    for (const [start, b] of batchesOf(await this.store.list(SEQ_DIR, seqName(from)))) this.batches.set(start, b);
  }

  /**
   * Keeps `state` as the newest known, and as the last checkpoint this machine saw once it is known to extend
   * the previous one: at once when it is that one, or was built here on a state known to (`base`); else after a
   * consistency check against the tiles, in the background (consistency() waits for it and throws if it fails).
   */
  private remember(state: LogState, base?: LogState): LogState {
    if (!this.latest || state.size >= this.latest.size) this.latest = state;
    if (!state.note) return state;
    const seen = this.seenHead();
    const root = encodeBase64(state.rootHash);
    if (!seen || (base && this.vouched.has(encodeBase64(base.rootHash))) || this.vouched.has(root)) this.vouch(state);
    else if (!this.checks.has(root)) {
      const check = this.extendsSeen(state, seen).then((ok) => {
        if (!ok)
          throw new TamperedLogError(
            `${this.store.location}: the checkpoint of size ${state.size} does not extend the one of size ${seen.size} this machine saw: the log's history was rewritten (run gwctl audit verify)`,
          );
        this.vouch(state);
      });
      check.catch(() => undefined);
      this.checks.set(root, check);
    }
    return state;
  }

  /** Waits for the consistency checks of checkpoints read from the store; throws if one failed. */
  async consistency(): Promise<void> {
    await Promise.all(this.checks.values());
  }

  private async extendsSeen(state: LogState, seen: { size: number; rootHash: Uint8Array }): Promise<boolean> {
    if (state.size === seen.size) return bytesEqual(state.rootHash, seen.rootHash);
    const reader = new TileHashReader(state, async (p) => {
      const o = state.edge.get(p) ?? (await this.store.get(p))?.data;
      if (!o) throw new Error(`${p} is missing`);
      return o;
    });
    const old = await reader.rootAt(seen.size).catch(() => undefined);
    return old !== undefined && bytesEqual(old, seen.rootHash);
  }

  private vouch(state: LogState): void {
    this.vouched.add(encodeBase64(state.rootHash));
    const seen = this.seenHead();
    if (seen && state.size <= seen.size) return;
    this.seen = { size: state.size, rootHash: state.rootHash };
    try {
      const nodes = edgeNodes(state.size, state.edge).map((n) => encodeBase64(n.hash));
      this.o.seen?.save({ note: state.note, nodes }, state.size);
    } catch {
      // The log itself is intact; this machine only holds it to a slightly older checkpoint next time.
    }
  }

  /** The last checkpoint this machine saw (read once per process, then kept up to date). */
  private seenHead(): { size: number; rootHash: Uint8Array } | undefined {
    if (this.seen === undefined) {
      const note = this.o.seen?.load()?.note;
      this.seen = null;
      if (note)
        try {
          const { checkpoint } = openCheckpoint(note, [this.o.verifier], this.origin);
          this.seen = { size: checkpoint.size, rootHash: checkpoint.rootHash };
        } catch {
          // Not a checkpoint of this log under this key: no guess, and nothing to hold the log to.
        }
    }
    return this.seen ?? undefined;
  }

  private seenSize(): number | undefined {
    return this.seenHead()?.size;
  }
}

function edgeBundleMatches(size: number, edge: ReadonlyMap<string, Uint8Array>): boolean {
  const width = size % TILE_WIDTH;
  if (width === 0) return true;
  const index = div(size, TILE_WIDTH);
  try {
    const entries = decodeEntryBundle(edge.get(entryBundlePath(index, width))!, width);
    const hashes = decodeHashTile(edge.get(tilePath(0, index, width))!, width);
    return entries.every((e, i) => bytesEqual(leafHash(e), hashes[i]!));
  } catch {
    return false;
  }
}
