// The document-store interface (the rclone `fs` idea): what gwctl asks of Firestore, with no SDK type in sight.
// The Firestore implementation is firestore.ts; firestore-values.ts converts to and from the API's values.

/**
 * A number Firestore is to store, and gave back, as a `doubleValue` even when it is integral: the
 * high-level SDK would write 5 as the integer 5, and read both kinds back as the same JS number.
 */
export class FirestoreDouble {
  constructor(readonly value: number) {}
}

/**
 * A Firestore field value in plain terms: timestamps come back as Date, bytes as Buffer, doubles as
 * FirestoreDouble, integers as number (bigint beyond 2^53). A plain number is written as an integer when
 * it is a safe integer, as a double otherwise.
 */
export type FieldValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Date
  | Buffer
  | FirestoreDouble
  | FieldValue[]
  | { [field: string]: FieldValue };
export type FieldMap = { [field: string]: FieldValue };

export type DocumentWrite =
  { collection: string; id: string; data: FieldMap } | { collection: string; id: string; delete: true };

/** The few Firestore calls gwctl makes, with no SDK type in sight (the rclone `fs` idea). */
export interface DocumentStore {
  /** `project/database`, for messages. */
  where: string;
  /** Every document of a collection. */
  list(collection: string): Promise<Map<string, FieldMap>>;
  /** The named documents that exist. */
  getAll(collection: string, ids: string[]): Promise<Map<string, FieldMap>>;
  /** One atomic batch: at most 500 writes and 10 MiB, Firestore's limits. */
  commit(writes: DocumentWrite[]): Promise<void>;
  close(): Promise<void>;
}

/** Firestore's own batch limits; callers split their writes to fit. */
export const FIRESTORE_BATCH_LIMITS = { writes: 500, bytes: 10 * 1024 * 1024 } as const;
