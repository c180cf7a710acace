import type { DocumentStore, FieldMap } from '../cloud/document-store.js';
import { RuntimeError, UsageError } from '../errors/gwctl-error.js';
import { documentDigest } from './digest.js';
import { keystoreBatchStep, type KeystorePlan } from './keystore-plan.js';
import { printable } from '../ui/printable.js';

/** Converted documents by collection, then id: what the plan's batches refer to. */
export type KeystoreData = ReadonlyMap<string, ReadonlyMap<string, FieldMap>>;

export interface CollectionVerification {
  collection: string;
  sourceCount: number;
  targetCount: number;
  /** In MongoDB, not in Firestore. */
  missing: string[];
  /** In both, with different digests. */
  different: string[];
  /** In Firestore, not in MongoDB. */
  extra: string[];
  ok: boolean;
}

export interface KeystoreSummary {
  created: number;
  unchanged: number;
  overwritten: number;
  failed: number;
  verification: CollectionVerification[];
}

export function assertKeystoreApplicable(plan: KeystorePlan): void {
  const invalid = plan.collections.flatMap((c) =>
    c.documents.filter((d) => d.action === 'invalid').map((d) => ({ c: c.collection, d })),
  );
  if (invalid.length > 0) {
    const { c, d } = invalid[0];
    throw new UsageError(
      `${invalid.length} document(s) cannot be copied to Firestore (first: ${c}/${printable(d.id)}: ${d.reason}); nothing was written`,
    );
  }
  const conflicts = plan.collections.flatMap((c) =>
    c.documents.filter((d) => d.action === 'conflict').map((d) => `${c.collection}/${printable(d.id)}`),
  );
  if (conflicts.length > 0 && !plan.overwrite) {
    throw new UsageError(
      `Firestore already holds different versions of ${conflicts.length} document(s) (first: ${conflicts[0]}); nothing was written. Check them, then re-run with --overwrite to replace them`,
    );
  }
}

/**
 * Commits the plan's batches in order, then verifies both sides. A failed batch stops the run; the
 * batches before it are kept, and a re-run skips them because they read back identical.
 */
export async function applyKeystorePlan(
  plan: KeystorePlan,
  data: KeystoreData,
  store: DocumentStore,
  run: {
    onBatch?: (done: number, total: number) => void;
    /** A batch committed, by its plan step id (the audit outcome lists them). */
    stepDone?: (id: string) => void;
    /** Aborted by SIGINT/SIGTERM: no further batch is sent; the committed ones stay, and a re-run skips them. */
    signal?: AbortSignal;
  } = {},
): Promise<KeystoreSummary> {
  assertKeystoreApplicable(plan);
  const total = plan.collections.reduce((n, c) => n + c.batches.length, 0);
  let done = 0;
  for (const c of plan.collections) {
    const docs = data.get(c.collection);
    for (const [i, ids] of c.batches.entries()) {
      const writes = ids.map((id) => {
        const fields = docs?.get(id);
        if (!fields) throw new RuntimeError(`internal: no converted data for ${c.collection}/${id}`);
        return { collection: c.collection, id, data: fields };
      });
      run.signal?.throwIfAborted();
      try {
        await store.commit(writes);
      } catch (err) {
        throw new RuntimeError(
          `batch ${i + 1}/${c.batches.length} of ${c.collection} failed (${(err as Error).message}); ${done} earlier batch(es) were written — re-run the same command to resume`,
        );
      }
      run.stepDone?.(keystoreBatchStep(c.collection, i));
      run.onBatch?.(++done, total);
    }
  }
  const verification = await verifyKeystore(plan, store);
  const isBad = (c: string, id: string) =>
    verification.some((v) => v.collection === c && (v.missing.includes(id) || v.different.includes(id)));
  const summary: KeystoreSummary = { created: 0, unchanged: 0, overwritten: 0, failed: 0, verification };
  for (const c of plan.collections) {
    for (const d of c.documents) {
      if (isBad(c.collection, d.id)) summary.failed++;
      else if (d.action === 'create') summary.created++;
      else if (d.action === 'conflict') summary.overwritten++;
      else summary.unchanged++;
    }
  }
  return summary;
}

/** Reads every target collection back: counts must match and every document's digest must equal the source's. */
export async function verifyKeystore(plan: KeystorePlan, store: DocumentStore): Promise<CollectionVerification[]> {
  const out: CollectionVerification[] = [];
  for (const c of plan.collections) {
    const target = await store.list(c.collection);
    const expected = new Map(c.documents.map((d) => [d.id, d.digest]));
    const missing: string[] = [];
    const different: string[] = [];
    for (const [id, digest] of expected) {
      const got = target.get(id);
      if (!got) missing.push(id);
      else if (documentDigest(got) !== digest) different.push(id);
    }
    const extra = [...target.keys()].filter((id) => !expected.has(id)).sort();
    out.push({
      collection: c.collection,
      sourceCount: c.sourceCount,
      targetCount: target.size,
      missing,
      different,
      extra,
      ok: missing.length === 0 && different.length === 0 && target.size === c.sourceCount,
    });
  }
  return out;
}
