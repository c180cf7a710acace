import type { Environment } from '../config/schema.js';
import { GwctlError, RuntimeError, UsageError } from '../errors/gwctl-error.js';
import { httpStatusOf } from './gcs-errors.js';
import { openKubeApis, type KubeApis } from './kube.js';
import { isTransient, withRetry, type RetryOptions } from './retry.js';

/** The kinds gwctl reads, scales or deletes; each maps to one REST resource. */
export const KUBE_KINDS = {
  Namespace: 'v1',
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  CronJob: 'batch/v1',
  Job: 'batch/v1',
  Ingress: 'networking.k8s.io/v1',
  Service: 'v1',
  ConfigMap: 'v1',
  Secret: 'v1',
  PersistentVolumeClaim: 'v1',
  ValidatingAdmissionPolicy: 'admissionregistration.k8s.io/v1',
  ValidatingAdmissionPolicyBinding: 'admissionregistration.k8s.io/v1',
} as const;

export type KubeKind = keyof typeof KUBE_KINDS;

/** An object as gwctl's logic sees it: plain JSON, no SDK classes. */
export interface KubeItem {
  kind: KubeKind;
  name: string;
  namespace?: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers: string[];
  /** Set while the object waits for its finalizers (e.g. an Ingress whose load balancer is being torn down). */
  deletionTimestamp?: string;
  resourceVersion?: string;
  /** Desired replicas of a Deployment or StatefulSet. */
  replicas?: number;
  readyReplicas?: number;
  /** A Secret's or Service's `type`. */
  type?: string;
  /** Load balancer addresses in an Ingress's or Service's status. */
  loadBalancer: string[];
  /** The object's `spec`, as plain JSON (admission policies are compared on it). */
  spec?: Record<string, unknown>;
}

/** A whole object to create or replace, in API shape. */
export interface KubeManifest {
  apiVersion: string;
  kind: KubeKind;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
}

export type DeleteOutcome = 'accepted' | 'gone';

/** The Kubernetes calls gwctl makes, small enough that the logic never sees the SDK. Every call retries transient failures. */
export interface KubeAdmin {
  list(kind: KubeKind, namespace?: string): Promise<KubeItem[]>;
  /** The object, or undefined when it does not exist. */
  get(kind: KubeKind, name: string, namespace?: string): Promise<KubeItem | undefined>;
  /** Sets desired replicas via the scale subresource; `gone` when the workload does not exist. */
  scale(
    kind: 'Deployment' | 'StatefulSet',
    name: string,
    namespace: string,
    replicas: number,
  ): Promise<'scaled' | 'gone'>;
  /**
   * Applies a JSON merge patch (RFC 7386; `null` removes a field). A `metadata.resourceVersion` in the
   * patch is a precondition: `conflict` when the object has changed since. `gone` when it does not exist.
   */
  mergePatch(
    kind: KubeKind,
    name: string,
    namespace: string | undefined,
    patch: { metadata?: Record<string, unknown>; spec?: Record<string, unknown> },
  ): Promise<'patched' | 'gone' | 'conflict'>;
  /** Deletes with background propagation; `accepted` may still leave the object terminating behind finalizers. */
  remove(kind: KubeKind, name: string, namespace?: string): Promise<DeleteOutcome>;
  /** Creates the object, or replaces the one of that name. */
  put(manifest: KubeManifest): Promise<'created' | 'replaced'>;
}

export async function openKubeAdmin(env: Environment, retry: RetryOptions = {}): Promise<KubeAdmin> {
  return new SdkKubeAdmin(await openKubeApis(env), retry);
}

type Raw = Record<string, unknown> & {
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
    deletionTimestamp?: unknown;
    resourceVersion?: string;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  type?: string;
};

class SdkKubeAdmin implements KubeAdmin {
  constructor(
    private readonly apis: KubeApis,
    private readonly retry: RetryOptions,
  ) {}

  async list(kind: KubeKind, namespace?: string): Promise<KubeItem[]> {
    const items: KubeItem[] = [];
    let token: string | undefined;
    do {
      const page = await this.call(`listing ${plural(kind)}${namespace ? ` in namespace ${namespace}` : ''}`, () =>
        this.apis.objects.list(
          KUBE_KINDS[kind],
          kind,
          namespaced(kind) ? namespace : undefined,
          undefined,
          undefined,
          undefined,
          undefined,
          undefined,
          500,
          token,
        ),
      );
      for (const o of page.items) items.push(toItem(kind, plain(o)));
      token = page.metadata?._continue || undefined;
    } while (token);
    return items;
  }

  async get(kind: KubeKind, name: string, namespace?: string): Promise<KubeItem | undefined> {
    try {
      const o = await this.call(`reading ${ref(kind, name, namespace)}`, () =>
        this.apis.objects.read({
          apiVersion: KUBE_KINDS[kind],
          kind,
          metadata: { name, ...(namespaced(kind) ? { namespace } : {}) },
        }),
      );
      return toItem(kind, plain(o));
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }

  async scale(
    kind: 'Deployment' | 'StatefulSet',
    name: string,
    namespace: string,
    replicas: number,
  ): Promise<'scaled' | 'gone'> {
    const body = { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name, namespace }, spec: { replicas } };
    try {
      await this.call(`scaling ${ref(kind, name, namespace)} to ${replicas}`, () =>
        kind === 'Deployment'
          ? this.apis.apps.replaceNamespacedDeploymentScale({ name, namespace, body })
          : this.apis.apps.replaceNamespacedStatefulSetScale({ name, namespace, body }),
      );
      return 'scaled';
    } catch (err) {
      if (statusOf(err) === 404) return 'gone';
      throw err;
    }
  }

  async mergePatch(
    kind: KubeKind,
    name: string,
    namespace: string | undefined,
    patch: { metadata?: Record<string, unknown>; spec?: Record<string, unknown> },
  ): Promise<'patched' | 'gone' | 'conflict'> {
    const body = {
      ...patch,
      apiVersion: KUBE_KINDS[kind],
      kind,
      metadata: { ...patch.metadata, name, ...(namespaced(kind) ? { namespace } : {}) },
    };
    try {
      await this.call(`patching ${ref(kind, name, namespace)}`, () =>
        this.apis.objects.patch(body, undefined, undefined, 'gwctl', undefined, 'application/merge-patch+json'),
      );
      return 'patched';
    } catch (err) {
      if (statusOf(err) === 404) return 'gone';
      if (statusOf(err) === 409) return 'conflict';
      throw err;
    }
  }

  async remove(kind: KubeKind, name: string, namespace?: string): Promise<DeleteOutcome> {
    try {
      await this.call(`deleting ${ref(kind, name, namespace)}`, () =>
        this.apis.objects.delete(
          { apiVersion: KUBE_KINDS[kind], kind, metadata: { name, ...(namespaced(kind) ? { namespace } : {}) } },
          undefined,
          undefined,
          undefined,
          undefined,
          // Jobs default to orphaning their pods when deleted through the API; take them along.
          'Background',
        ),
      );
      return 'accepted';
    } catch (err) {
      if (statusOf(err) === 404) return 'gone';
      throw err;
    }
  }

  async put(manifest: KubeManifest): Promise<'created' | 'replaced'> {
    const what = ref(manifest.kind, manifest.metadata.name, manifest.metadata.namespace);
    // A 409 means someone wrote in between (or our create raced a retry): read again and replace.
    return withRetry(
      async () => {
        const current = await this.get(manifest.kind, manifest.metadata.name, manifest.metadata.namespace);
        if (!current) {
          await this.call(`creating ${what}`, () => this.apis.objects.create(manifest as never));
          return 'created' as const;
        }
        await this.call(`replacing ${what}`, () =>
          this.apis.objects.replace({
            ...manifest,
            metadata: { ...manifest.metadata, resourceVersion: current.resourceVersion },
          } as never),
        );
        return 'replaced' as const;
      },
      { ...this.retry, attempts: 4, isRetryable: (err) => statusOf(err) === 409 },
    );
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await withRetry(fn, this.retry);
    } catch (err) {
      throw kubeError(err, what);
    }
  }
}

const CLUSTER_SCOPED: ReadonlySet<KubeKind> = new Set([
  'Namespace',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
]);
const namespaced = (kind: KubeKind) => !CLUSTER_SCOPED.has(kind);
const plural = (kind: KubeKind) => `${kind.toLowerCase()}s`;

/** `ingress/default/public-gateway`, `validatingadmissionpolicy/gwctl-destroy-protection-prod`. */
export function ref(kind: KubeKind, name: string, namespace?: string): string {
  return namespaced(kind) && namespace ? `${kind.toLowerCase()}/${namespace}/${name}` : `${kind.toLowerCase()}/${name}`;
}

// SDK model classes carry Dates and undefined fields; the logic wants the API's JSON.
const plain = (o: unknown): Raw => JSON.parse(JSON.stringify(o ?? {})) as Raw;

function toItem(kind: KubeKind, o: Raw): KubeItem {
  const m = o.metadata ?? {};
  const spec = o.spec;
  const status = o.status ?? {};
  const lb = ((status.loadBalancer as { ingress?: { ip?: string; hostname?: string }[] } | undefined)?.ingress ?? [])
    .map((i) => i.ip ?? i.hostname)
    .filter((x): x is string => Boolean(x));
  return {
    kind,
    name: m.name ?? '',
    ...(m.namespace ? { namespace: m.namespace } : {}),
    labels: m.labels ?? {},
    ...(m.annotations ? { annotations: m.annotations } : {}),
    finalizers: m.finalizers ?? [],
    ...(m.deletionTimestamp ? { deletionTimestamp: String(m.deletionTimestamp) } : {}),
    ...(m.resourceVersion ? { resourceVersion: m.resourceVersion } : {}),
    ...(kind === 'Deployment' || kind === 'StatefulSet'
      ? { replicas: Number(spec?.replicas ?? 1), readyReplicas: Number(status.readyReplicas ?? 0) }
      : {}),
    ...(kind === 'Secret' && o.type ? { type: o.type } : {}),
    ...(kind === 'Service' && spec?.type ? { type: String(spec.type) } : {}),
    loadBalancer: lb,
    ...(spec ? { spec } : {}),
  };
}

function statusOf(err: unknown): number | undefined {
  return httpStatusOf(err) ?? httpStatusOf((err as { cause?: unknown })?.cause);
}

/** The API server's own message (e.g. an admission policy's denial), without the SDK's headers dump. */
function serverMessage(err: unknown): string {
  const e = err as { body?: unknown; message?: string };
  let body = e?.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      // not JSON: use the text as it is
    }
  }
  if (body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string')
    return (body as { message: string }).message;
  if (typeof body === 'string' && body.trim()) return body.trim().slice(0, 300);
  return (e?.message ?? String(err)).split('\n')[0]!;
}

/** One line: what failed, on what, and what to do next; keeps the status for callers (404, 403, 409). */
export function kubeError(err: unknown, what: string): GwctlError {
  if (err instanceof GwctlError) return err;
  const status = httpStatusOf(err);
  const message = serverMessage(err);
  let out: GwctlError;
  if (status === 401)
    out = new RuntimeError(
      `${what}: not authenticated to the Kubernetes API; check the kubeconfig context (gcloud container clusters get-credentials …)`,
      { cause: err },
    );
  else if (status === 403) out = new RuntimeError(`${what}: forbidden: ${message}`, { cause: err });
  else if (status === 404) out = new UsageError(`${what}: not found (${message})`, { cause: err });
  else if (status === undefined && isTransient(err))
    out = new RuntimeError(`${what}: the Kubernetes API kept failing (${message}); check connectivity and re-run`, {
      cause: err,
    });
  else out = new RuntimeError(`${what}: ${status ? `HTTP ${status}: ` : ''}${message}`, { cause: err });
  return Object.assign(out, { status });
}
