import type { FieldMap } from '../cloud/document-store.js';
import { BATCH_LIMITS, splitIntoBatches } from './batches.js';
import { documentDigest } from './digest.js';

/** Firestore refuses documents over 1 MiB. */
export const MAX_DOCUMENT_BYTES = 1024 * 1024;

export type KeystoreAction = 'create' | 'unchanged' | 'conflict' | 'invalid';

/** One source document, converted (or refused) before planning. */
export type ConvertedDocument =
  | { id: string; fields: FieldMap; bytes: number; error?: undefined }
  | { id: string; error: string; fields?: undefined; bytes?: undefined };

export interface KeystoreDocumentPlan {
  id: string;
  action: KeystoreAction;
  /** Digest of the converted fields: what verification expects to read back. */
  digest?: string;
  bytes?: number;
  reason?: string;
}

export interface KeystoreCollectionPlan {
  collection: string;
  sourceCount: number;
  /** Documents Firestore held before the migration. */
  targetCount: number;
  /** Ids in Firestore that MongoDB does not have: left alone, but verification reports them. */
  extra: string[];
  counts: Record<KeystoreAction, number>;
  documents: KeystoreDocumentPlan[];
  /** Ids per commit, in order, each within Firestore's batch limits. */
  batches: string[][];
  /** TTL indexes in MongoDB whose Firestore TTL policy must be set separately. */
  ttl: { field: string; expireAfterSeconds: number }[];
}

export interface KeystorePlan {
  source: { where: string; database: string };
  target: { where: string };
  overwrite: boolean;
  collections: KeystoreCollectionPlan[];
  counts: Record<KeystoreAction, number>;
  warnings: string[];
}

export interface KeystoreCollectionInput {
  collection: string;
  documents: readonly ConvertedDocument[];
  /** What Firestore holds now in the same-named collection. */
  target: ReadonlyMap<string, FieldMap>;
  ttl?: { field: string; expireAfterSeconds: number }[];
}

/**
 * Plans the keystore copy, document by document: create what is missing, skip what is already
 * there and identical (so a re-run resumes), and flag what differs. Pure: no I/O.
 */
export function planKeystoreMigration(input: {
  collections: readonly KeystoreCollectionInput[];
  overwrite?: boolean;
  source: KeystorePlan['source'];
  target: KeystorePlan['target'];
}): KeystorePlan {
  const overwrite = input.overwrite ?? false;
  const warnings: string[] = [];
  const collections = input.collections.map((c): KeystoreCollectionPlan => {
    const documents = c.documents
      .map((d) => planDocument(d, c.target))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const seen = new Set<string>();
    for (const d of documents) {
      if (seen.has(d.id))
        Object.assign(d, { action: 'invalid', reason: `two MongoDB documents map to the Firestore id ${d.id}` });
      seen.add(d.id);
    }
    const counts = countActions(documents);
    const toWrite = documents.filter((d) => d.action === 'create' || (d.action === 'conflict' && overwrite));
    const batches = splitIntoBatches(
      toWrite.map((d) => ({ id: d.id, bytes: d.bytes! })),
      BATCH_LIMITS,
    ).map((b) => b.map((d) => d.id));
    const extra = [...c.target.keys()].filter((id) => !seen.has(id)).sort();
    const ttl = c.ttl ?? [];
    for (const t of ttl) {
      warnings.push(
        `MongoDB expires ${c.collection} documents by ${t.field}${t.expireAfterSeconds ? ` + ${t.expireAfterSeconds}s` : ''} (TTL index); Firestore needs its own TTL policy: gcloud firestore fields ttls update ${t.field} --collection-group=${c.collection} --enable-ttl`,
      );
    }
    if (extra.length > 0)
      warnings.push(
        `Firestore ${c.collection} holds ${extra.length} document(s) MongoDB does not have (e.g. ${extra[0]}); they are left alone and verification will count them`,
      );
    return {
      collection: c.collection,
      sourceCount: c.documents.length,
      targetCount: c.target.size,
      extra,
      counts,
      documents,
      batches,
      ttl,
    };
  });
  const counts = countActions(collections.flatMap((c) => c.documents));
  return { source: input.source, target: input.target, overwrite, collections, counts, warnings };
}

function planDocument(d: ConvertedDocument, target: ReadonlyMap<string, FieldMap>): KeystoreDocumentPlan {
  if (d.error !== undefined) return { id: d.id, action: 'invalid', reason: d.error };
  if (d.bytes > MAX_DOCUMENT_BYTES)
    return {
      id: d.id,
      action: 'invalid',
      bytes: d.bytes,
      reason: `${d.bytes} bytes, over Firestore's 1 MiB document limit`,
    };
  const digest = documentDigest(d.fields);
  const existing = target.get(d.id);
  if (!existing) return { id: d.id, action: 'create', digest, bytes: d.bytes };
  return { id: d.id, action: documentDigest(existing) === digest ? 'unchanged' : 'conflict', digest, bytes: d.bytes };
}

function countActions(docs: readonly KeystoreDocumentPlan[]): Record<KeystoreAction, number> {
  const counts = { create: 0, unchanged: 0, conflict: 0, invalid: 0 };
  for (const d of docs) counts[d.action]++;
  return counts;
}

/** The plan step of one Firestore commit: the dry run shows it, the audit outcome lists it once committed. */
export const keystoreBatchStep = (collection: string, index: number) => `keystore/${collection}/batch-${index + 1}`;
