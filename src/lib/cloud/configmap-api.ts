/** The ConfigMap fields keyev reads and writes; everything else (labels, annotations, binaryData) is carried over untouched. */
export interface ConfigMapObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; [field: string]: unknown };
  data?: Record<string, string>;
  [field: string]: unknown;
}

/** The three Kubernetes calls the ConfigMap backend needs, so it can be tested and reasoned about without the SDK. */
export interface ConfigMapApi {
  /** undefined when the ConfigMap does not exist (404). */
  read(namespace: string, name: string): Promise<ConfigMapObject | undefined>;
  /** Throws ConfigMapConflict when it already exists (409). */
  create(namespace: string, body: ConfigMapObject): Promise<ConfigMapObject>;
  /** Throws ConfigMapConflict when `metadata.resourceVersion` is stale (409). */
  replace(namespace: string, name: string, body: ConfigMapObject): Promise<ConfigMapObject>;
}

/** Someone else changed (or created) the ConfigMap between our read and our write. */
export class ConfigMapConflict extends Error {
  constructor(message = 'the ConfigMap changed since it was read') {
    super(message);
    this.name = 'ConfigMapConflict';
  }
}
