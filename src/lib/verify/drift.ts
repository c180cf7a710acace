/** Who changed a drifted object through gwctl, from the audit log. */
export interface Explanation {
  seq: number;
  time: string;
  operator: string;
  command: string;
  summary: string;
}

/**
 * - `changed`: a field the code sets has another value live.
 * - `missing`: declared in code, absent live.
 * - `undeclared`: live, in a namespace or project the code owns, declared nowhere.
 * - `unpinned`: an image named by tag: what runs cannot be proven to be what the code means.
 * - `image`: a running container's digest is not the one the code pins.
 */
export type DriftKind = 'changed' | 'missing' | 'undeclared' | 'unpinned' | 'image';

/** One way the live environment differs from its code. `undefined` values are absent. */
export interface Drift {
  kind: DriftKind;
  /** `deployment/default/public-gateway-poweb`, `gs://gateway-prod-parcels-1a2b3c`. */
  object: string;
  /** `spec.template.spec.containers[name=poweb].image`, `lifecycle.rule`; `(object)` for the whole object. */
  field: string;
  code?: unknown;
  live?: unknown;
  /** Where the code says so (`deploy/gateway.yaml#3`, `module.gateway.google_storage_bucket.parcels`). */
  source?: string;
  /** The gwctl change that left the live value as it is; absent: nobody recorded it (unexplained). */
  explainedBy?: Explanation;
}

export const WHOLE_OBJECT = '(object)';

/** An object gwctl looked at and chose not to judge, with why (shown under --json). */
export interface Ignored {
  object: string;
  reason: string;
}
