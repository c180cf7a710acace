import { describe, expect, it } from 'vitest';
import { MemoryLogStore } from '../../../src/lib/audit/shared/memory-log-store.js';
import { SharedLog, type SeenCheckpoint } from '../../../src/lib/audit/shared/shared-log.js';
import { verifySharedLog } from '../../../src/lib/audit/shared/verify-log.js';
import {
  bytesEqual,
  generateKeyPair,
  leafHash,
  noteSignerFromKey,
  noteVerifierFromKey,
  openCheckpoint,
  rootFromLeafHashes,
} from '../../../src/lib/tlog/index.js';

const ORIGIN = 'example.com/audit';
const keys = generateKeyPair(ORIGIN);

function writer(store: MemoryLogStore, seen?: { value?: SeenCheckpoint }) {
  return new SharedLog({
    store,
    origin: ORIGIN,
    verifier: noteVerifierFromKey(keys.verifierKey),
    signer: async () => noteSignerFromKey(keys.signerKey),
    ...(seen ? { seen: { load: () => seen.value, save: (s) => (seen.value = s) } } : {}),
  });
}

const entry = (who: string, i: number) => (index: number) => [Buffer.from(JSON.stringify({ who, i, index }))];

async function append(log: SharedLog, make: (index: number) => Uint8Array[], after?: number) {
  const s = await log.sequence(make, after);
  await log.integrate(s.start + s.count, s.state);
  return s;
}

describe('the shared log in an object store', () => {
  it('many writers appending at once lose nothing and leave one tree whose root the checkpoint signs', async () => {
    const store = new MemoryLogStore();
    const writers = Array.from({ length: 8 }, () => writer(store));
    await Promise.all(
      writers.map(async (w, n) => {
        for (let i = 0; i < 40; i++) await append(w, entry(`w${n}`, i));
      }),
    );
    const verdict = await verifySharedLog({ store, origin: ORIGIN, verifier: noteVerifierFromKey(keys.verifierKey) });
    expect(verdict.problems).toEqual([]);
    expect(verdict.size).toBe(320);
    const seen = new Set(
      verdict.entries.map(
        (e) => JSON.parse(Buffer.from(e.bytes).toString()).who + '/' + JSON.parse(Buffer.from(e.bytes).toString()).i,
      ),
    );
    expect(seen.size).toBe(320);
    // Each entry landed at the index it names.
    for (const e of verdict.entries) expect(JSON.parse(Buffer.from(e.bytes).toString()).index).toBe(e.index);
    const root = rootFromLeafHashes(verdict.entries.map((e) => leafHash(e.bytes)));
    const { checkpoint } = openCheckpoint(verdict.note, [noteVerifierFromKey(keys.verifierKey)], ORIGIN);
    expect(bytesEqual(root, checkpoint.rootHash)).toBe(true);
  });

  it('entries sequenced by a writer that died before integrating are integrated by the next writer', async () => {
    const store = new MemoryLogStore();
    await append(writer(store), entry('a', 0));
    await writer(store).sequence(entry('killed', 0)); // never integrated
    await append(writer(store), entry('b', 0));
    const verdict = await verifySharedLog({ store, origin: ORIGIN, verifier: noteVerifierFromKey(keys.verifierKey) });
    expect(verdict.ok).toBe(true);
    expect(verdict.entries.map((e) => JSON.parse(Buffer.from(e.bytes).toString()).who)).toEqual(['a', 'killed', 'b']);
  });

  it('a writer that knows where its last batch ended appends its next one in three round trips', async () => {
    const store = new MemoryLogStore();
    const w = writer(store);
    const first = await append(w, entry('w', 0));
    const calls: string[] = [];
    for (const m of ['get', 'put', 'list'] as const) {
      const orig = store[m].bind(store) as (...a: unknown[]) => Promise<unknown>;
      (store as unknown as Record<string, unknown>)[m] = (...a: unknown[]) => (
        calls.push(`${m} ${String(a[0])}`),
        orig(...a)
      );
    }
    await append(w, entry('w', 1), first.start + first.count);
    // seq put, then tiles (in parallel), then the checkpoint: nothing read.
    expect(calls.filter((c) => !c.startsWith('put'))).toEqual([]);
  });

  it('a machine that saw a checkpoint catches a history rewritten and re-signed with the same key, and where', async () => {
    const store = new MemoryLogStore();
    const seen: { value?: SeenCheckpoint } = {};
    const w = writer(store, seen);
    for (let i = 0; i < 10; i++) await append(w, entry('w', i));
    // The bucket's owner rebuilds the log with entry 6 changed, signing it with the log's own key.
    const forged = new MemoryLogStore();
    for (let i = 0; i < 12; i++) await append(writer(forged), entry(i === 6 ? 'forged' : 'w', i));
    const verdict = await verifySharedLog({
      store: forged,
      origin: ORIGIN,
      verifier: noteVerifierFromKey(keys.verifierKey),
      seen: seen.value!,
    });
    expect(verdict.ok).toBe(false);
    expect(verdict.problems.map((p) => p.kind)).toEqual(['rewritten']);
    expect(verdict.firstBadIndex).toBe(0); // the compact range of 10 is [0,8) and [8,10): 6 is in the first
    expect(verdict.problems[0]!.message).toContain('entries 0..7');
  });
});
