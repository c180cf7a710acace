import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SharedLog, type SeenCheckpoint } from '../../../src/lib/audit/shared/shared-log.js';
import { verifySharedLog } from '../../../src/lib/audit/shared/verify-log.js';
import { witnessLog } from '../../../src/lib/audit/shared/witness.js';
import { cosignaturePath } from '../../../src/lib/audit/shared/cosignatures.js';
import { encodeBatch, seqName } from '../../../src/lib/audit/shared/batches.js';
import type { LogStore } from '../../../src/lib/audit/shared/log-store.js';
import {
  cosignatureVerifierFromKey,
  cosignerFromKey,
  encodeHashTile,
  generateKeyPair,
  leafHash,
  noteSignerFromKey,
  noteVerifierFromKey,
  SIG_TYPE_COSIGNATURE_V1,
} from '../../../src/lib/tlog/index.js';
import { ORIGIN, startAuditBucket } from './helpers.js';

const logKeys = generateKeyPair(ORIGIN);
const verifier = noteVerifierFromKey(logKeys.verifierKey);
const witnessKeys = generateKeyPair('witness.example.org', SIG_TYPE_COSIGNATURE_V1);

const open = (store: LogStore, seen?: { value?: SeenCheckpoint }) =>
  new SharedLog({
    store,
    origin: ORIGIN,
    verifier,
    signer: async () => noteSignerFromKey(logKeys.signerKey),
    ...(seen ? { seen: { load: () => seen.value, save: (s) => (seen.value = s) } } : {}),
  });

const record = (i: number, what = 'applied') =>
  Buffer.from(JSON.stringify({ command: 'bucket ttl set', i, result: what }));

/** Appends `count` records in batches of 50, as many gwctl runs would. */
async function fill(log: SharedLog, count: number, edit?: (i: number) => string | undefined) {
  for (let start = 0; start < count; start += 50) {
    const n = Math.min(50, count - start);
    const s = await log.sequence(() => Array.from({ length: n }, (_, k) => record(start + k, edit?.(start + k))));
    await log.integrate(s.start + s.count, s.state);
  }
}

const verify = (store: LogStore, seen?: SeenCheckpoint) =>
  verifySharedLog({ store, origin: ORIGIN, verifier, ...(seen ? { seen } : {}) });

describe('tampering with the shared log is caught and located', () => {
  let b: Awaited<ReturnType<typeof startAuditBucket>>;
  beforeEach(async () => {
    b = await startAuditBucket();
  });
  afterEach(() => b.close());

  it('a byte flipped in an entry bundle names the entry', async () => {
    await fill(open(b.store), 600);
    const bundle = (await b.store.get('tile/entries/001'))!.data;
    bundle[2 + 40 * 0 + 5] ^= 0x01; // inside entry 256's bytes (entries are 2-byte length, then JSON)
    await b.store.put('tile/entries/001', bundle);
    const verdict = await verify(b.store);
    expect(verdict.ok).toBe(false);
    expect(verdict.firstBadIndex).toBe(256);
    expect(verdict.problems).toEqual([
      expect.objectContaining({ kind: 'entry', index: 256, path: 'tile/entries/001' }),
    ]);
  });

  it('a replaced hash tile is named, with the entries it covers', async () => {
    await fill(open(b.store), 600);
    // A tile of hashes of other entries: it no longer matches its parent tile.
    const forged = encodeHashTile(Array.from({ length: 256 }, (_, i) => leafHash(record(i, 'forged'))));
    await b.store.put('tile/0/000', forged);
    const verdict = await verify(b.store);
    expect(verdict.ok).toBe(false);
    expect(verdict.firstBadIndex).toBe(0);
    expect(verdict.problems[0]).toMatchObject({ kind: 'tile', index: 0 });
    expect(verdict.problems[0]!.message).toMatch(/tile\/0\/000 does not match its parent tile/);
  });

  it('an entry changed with its hash tile recomputed to match is still caught, one level up', async () => {
    await fill(open(b.store), 600);
    const forgedTile = encodeHashTile(
      Array.from({ length: 256 }, (_, i) => leafHash(record(i, i === 7 ? 'failed' : undefined))),
    );
    await b.store.put('tile/0/000', forgedTile);
    const verdict = await verify(b.store);
    expect(verdict.ok).toBe(false);
    expect(verdict.firstBadIndex).toBe(0);
  });

  it('a truncated checkpoint is reported, and no gwctl appends to the log until it is repaired', async () => {
    await fill(open(b.store), 10);
    const note = (await b.store.get('checkpoint'))!.data;
    await b.store.put('checkpoint', note.subarray(0, note.length - 20));
    const verdict = await verify(b.store);
    expect(verdict.problems).toEqual([expect.objectContaining({ kind: 'checkpoint', path: 'checkpoint' })]);
    await expect(open(b.store).sequence(() => [record(99)])).rejects.toThrow(/checkpoint/);
  });

  it('an entry changed in the last, partial bundle stops every append (it would be carried into the next)', async () => {
    await fill(open(b.store), 10);
    const bundle = (await b.store.get('tile/entries/000.p/10'))!.data;
    bundle[5] ^= 0x01;
    await b.store.put('tile/entries/000.p/10', bundle);
    await expect(open(b.store).sequence(() => [record(99)])).rejects.toThrow(/last bundle do not match/);
  });

  it('a right-edge tile that no longer hashes to the checkpoint stops every append', async () => {
    await fill(open(b.store), 10);
    await b.store.put(
      'tile/0/000.p/10',
      encodeHashTile(Array.from({ length: 10 }, (_, i) => leafHash(record(i, 'x')))),
    );
    await expect(open(b.store).sequence(() => [record(99)])).rejects.toThrow(/do not hash to its checkpoint/);
  });

  it("a history rewritten and re-signed with the log's own key is caught by the machine that saw the old one, and by a witness", async () => {
    const seen: { value?: SeenCheckpoint } = {};
    await fill(open(b.store, seen), 300);
    const witness = () =>
      witnessLog({
        store: b.store,
        log: verifier,
        cosigner: cosignerFromKey(witnessKeys.signerKey),
        state: { load: async () => state, save: async (n) => void (state = n) },
      });
    let state: string | undefined;
    expect(await witness()).toMatchObject({ status: 'cosigned', size: 300 });
    const cosigned = (await b.store.get(cosignaturePath('witness.example.org')))!;

    // The bucket's owner deletes everything and rebuilds the log with record 290 changed, and more after it.
    for (const o of await b.store.list('')) if (!o.name.startsWith('cosignature/')) await b.store.delete(o.name);
    await fill(open(b.store), 350, (i) => (i === 290 ? 'failed' : undefined));

    const verdict = await verify(b.store, seen.value);
    expect(verdict.ok).toBe(false);
    expect(verdict.problems).toEqual([expect.objectContaining({ kind: 'rewritten', index: 288 })]);
    expect(verdict.problems[0]!.message).toMatch(/entries 288\.\.295 differ/);
    // The machine that saw the old log also refuses to append to the new one.
    const writer = open(b.store, seen);
    await writer.integratePending();
    await expect(writer.consistency()).rejects.toThrow(/history was rewritten/);

    expect(await witness()).toMatchObject({ status: 'refused', previous: 300 });
    expect((await b.store.get(cosignaturePath('witness.example.org')))!.generation).toBe(cosigned.generation);
    expect(state).toContain('\n300\n');
  });

  it('a re-signed rewrite is caught on a fresh machine (no checkpoint seen) by an older witness cosignature', async () => {
    await fill(open(b.store), 300);
    let state: string | undefined;
    await witnessLog({
      store: b.store,
      log: verifier,
      cosigner: cosignerFromKey(witnessKeys.signerKey),
      state: { load: async () => state, save: async (n) => void (state = n) },
    });
    // Rebuilt with record 290 changed and grown past the witnessed size; the witness's object is left alone.
    for (const o of await b.store.list('')) if (!o.name.startsWith('cosignature/')) await b.store.delete(o.name);
    await fill(open(b.store), 350, (i) => (i === 290 ? 'failed' : undefined));

    // Without the witness's key the log verifies: nothing this machine has contradicts it.
    expect((await verify(b.store)).ok).toBe(true);
    const verdict = await verifySharedLog({
      store: b.store,
      origin: ORIGIN,
      verifier,
      witnesses: [cosignatureVerifierFromKey(witnessKeys.verifierKey)],
    });
    expect(verdict.ok).toBe(false);
    expect(verdict.problems).toEqual([
      expect.objectContaining({ kind: 'rewritten', path: cosignaturePath('witness.example.org') }),
    ]);
    expect(verdict.problems[0]!.message).toMatch(
      /witness witness\.example\.org cosigned a checkpoint of size 300 whose root the log no longer has/,
    );
  });

  it('an honest log that grew past a witness cosignature verifies: the old root is still the tree at that size', async () => {
    await fill(open(b.store), 300);
    let state: string | undefined;
    await witnessLog({
      store: b.store,
      log: verifier,
      cosigner: cosignerFromKey(witnessKeys.signerKey),
      state: { load: async () => state, save: async (n) => void (state = n) },
    });
    await fill(open(b.store), 40);
    const verdict = await verifySharedLog({
      store: b.store,
      origin: ORIGIN,
      verifier,
      witnesses: [cosignatureVerifierFromKey(witnessKeys.verifierKey)],
    });
    expect(verdict.problems).toEqual([]);
    expect(verdict.cosigned).toEqual([expect.objectContaining({ size: 300, latest: false, verified: true })]);
  });

  it('a sequenced batch whose metadata was edited (same generation, metageneration 2) is refused and reported', async () => {
    const writer = open(b.store);
    await fill(writer, 10);
    const s = await writer.sequence(() => [record(10)]);
    // Integrators read small batches from the listing's metadata; a patch there keeps the generation (GCS JSON
    // API objects.patch: metadata-only changes increment metageneration), so ifGenerationMatch=0 never saw it.
    const forged = encodeBatch([record(10, 'nothing happened')]).metadata;
    const file = b.storage.bucket(b.bucket).file(`log/${seqName(s.start)}`);
    const [patched] = await file.setMetadata({ metadata: forged });
    expect(patched.metageneration).toBe('2');

    await expect(open(b.store).integratePending()).rejects.toThrow(
      /seq\/0000000000000010 was edited after it was sequenced \(metageneration 2, not 1\)/,
    );
    const verdict = await verify(b.store);
    expect(verdict.size).toBe(10);
    expect(verdict.ok).toBe(false);
    expect(verdict.problems).toEqual([expect.objectContaining({ kind: 'batch', index: 10, path: seqName(10) })]);
  });

  it('a witness cosigns a log that only grew, and audit verification names it', async () => {
    await fill(open(b.store), 20);
    let state: string | undefined;
    const round = () =>
      witnessLog({
        store: b.store,
        log: verifier,
        cosigner: cosignerFromKey(witnessKeys.signerKey),
        state: { load: async () => state, save: async (n) => void (state = n) },
      });
    await round();
    await fill(open(b.store), 30);
    expect(await round()).toMatchObject({ status: 'cosigned', previous: 20, size: 50 });
    const verdict = await verifySharedLog({
      store: b.store,
      origin: ORIGIN,
      verifier,
      witnesses: [cosignatureVerifierFromKey(witnessKeys.verifierKey)],
    });
    expect(verdict.cosigned).toEqual([
      expect.objectContaining({ witness: 'witness.example.org', latest: true, verified: true, size: 50 }),
    ]);
  });
});
