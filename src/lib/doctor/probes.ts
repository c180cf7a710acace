/** The read-only calls `gwctl doctor` makes, small enough that its checks never see an SDK (cloud/doctor-probes.ts). */
export interface DoctorProbes {
  /** `storage.buckets.get`, then `storage.objects.list` with maxResults=1: how many objects came back (0 or 1). */
  readBucket(bucket: string): Promise<{ listed: number }>;
  /**
   * One JSON API batch (`POST /batch/storage/v1`) of calls below buckets: each call's own HTTP status and error
   * message, in order. Throws (with the HTTP status in its message) when the batch itself is refused.
   */
  batch(calls: BatchProbeCall[]): Promise<{ status: number; message?: string }[]>;
  /** The Kubernetes API server's version (`GET /version`). */
  kubeVersion(): Promise<string>;
  /** A SelfSubjectAccessReview: may the credentials in use do this? */
  canI(attributes: KubeAccess): Promise<{ allowed: boolean; reason?: string }>;
  /** `MetricService.GetMetricDescriptor` in the environment's project; undefined when NOT_FOUND. */
  metricDescriptor(type: string): Promise<{ metricKind: string; valueType: string } | undefined>;
  /** `GetBuildTrigger` of the environment's deployment trigger (cloudBuild in gwctl.yaml); undefined when NOT_FOUND. */
  buildTrigger(): Promise<{ name: string; disabled: boolean } | undefined>;
  /** Cloud KMS `GetPublicKey` of a key version: its algorithm (EC_SIGN_ED25519 signs the shared audit log). */
  kmsPublicKey(keyVersion: string): Promise<{ algorithm: string }>;
  /** Connects, pings, and lists the database's collections (names only). */
  mongo(): Promise<{ where: string; database: string; collections: string[] }>;
  /** Reads one (missing) document of `collection` in the environment's Firestore database. */
  firestoreRead(collection: string): Promise<{ where: string }>;
  close(): Promise<void>;
}

export interface BatchProbeCall {
  bucket: string;
  method: string;
  /** Below `/b/<bucket>`, e.g. `/o/<name>`. */
  uri: string;
  qs?: Record<string, string>;
  json?: Record<string, unknown>;
}

/** SelfSubjectAccessReview's resource attributes. */
export interface KubeAccess {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
}
