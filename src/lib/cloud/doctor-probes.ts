import type { Environment } from '../config/schema.js';
import { RuntimeError } from '../errors/gwctl-error.js';
import { deploymentTriggerRef, openTriggerAdmin } from './cloudbuild.js';
import { kmsClient } from './kms.js';
import { openDocumentStore } from './firestore.js';
import { gcsError, httpStatusOf } from './gcs-errors.js';
import { JsonTransport, parseJson } from './json-transport.js';
import { kubeError } from './kube-resources.js';
import { openKubeConfig } from './kube.js';
import { clientOptions } from './monitoring.js';
import { openMongo } from './mongo.js';
import { openTransferJobs } from './storage-transfer.js';
import { jsonApiRoot, storageAuth } from './storage.js';

/** The read-only calls `gwctl doctor` makes, small enough that its checks never see an SDK (openDoctorProbes below). */
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
  /**
   * Storage Transfer Service `GetGoogleServiceAccount` in the environment's project: the service agent its jobs run
   * as, or `disabled` when the API is not enabled there.
   */
  transferAgent(): Promise<{ agent: string } | { disabled: true }>;
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

/**
 * The read-only calls of `gwctl doctor`, through the clients the commands themselves use (the JSON API
 * transport, client-node, the Monitoring and Firestore clients, the MongoDB driver), each opened on first use.
 * No retries: doctor reports what one call gets.
 */
export function openDoctorProbes(env: Environment): DoctorProbes {
  let json: JsonTransport | undefined;
  const gcs = () => (json ??= new JsonTransport(jsonApiRoot(env), storageAuth(env), 30_000));
  let kube: ReturnType<typeof openKube> | undefined;
  const openKube = async () => {
    const [k8s, kc] = await Promise.all([import('@kubernetes/client-node'), openKubeConfig(env)]);
    return { version: kc.makeApiClient(k8s.VersionApi), authz: kc.makeApiClient(k8s.AuthorizationV1Api) };
  };
  const kubeApis = () => (kube ??= openKube());
  let metrics: Promise<import('@google-cloud/monitoring').MetricServiceClient> | undefined;
  const closers: (() => Promise<unknown>)[] = [];

  return {
    async readBucket(bucket) {
      try {
        await gcs().request(bucket, { uri: '', qs: { fields: 'name' } });
        const page = await gcs().request<{ items?: unknown[] }>(bucket, {
          uri: '/o',
          qs: { maxResults: 1, fields: 'items(name)' },
        });
        return { listed: page.items?.length ?? 0 };
      } catch (err) {
        throw gcsError(err, `reading gs://${bucket}`, env.project);
      }
    },
    async batch(calls) {
      try {
        const answers = await gcs().batch(calls);
        return answers.map((a) => {
          const body = parseJson(a.text) as { error?: { message?: string } } | undefined;
          return { status: a.status, ...(body?.error?.message ? { message: body.error.message } : {}) };
        });
      } catch (err) {
        const status = httpStatusOf(err);
        if (status === undefined) throw gcsError(err, 'a JSON API batch', env.project);
        throw new RuntimeError(`the batch endpoint answered HTTP ${status}: ${(err as Error).message.split('\n')[0]}`);
      }
    },
    async kubeVersion() {
      try {
        return (await (await kubeApis()).version.getCode()).gitVersion;
      } catch (err) {
        throw kubeError(err, 'reading the API server version');
      }
    },
    async canI(attributes) {
      try {
        const review = await (
          await kubeApis()
        ).authz.createSelfSubjectAccessReview({
          body: { spec: { resourceAttributes: attributes } },
        });
        return {
          allowed: Boolean(review.status?.allowed),
          ...(review.status?.reason ? { reason: review.status.reason } : {}),
        };
      } catch (err) {
        throw kubeError(err, `asking whether ${attributes.verb} ${attributes.resource} is allowed`);
      }
    },
    async metricDescriptor(type) {
      metrics ??= (async () => {
        const { MetricServiceClient } = await import('@google-cloud/monitoring');
        const client = new MetricServiceClient(await clientOptions(env));
        closers.push(() => client.close());
        return client;
      })();
      try {
        const [d] = await (
          await metrics
        ).getMetricDescriptor(
          { name: `projects/${env.project}/metricDescriptors/${type}` },
          { timeout: 30_000, maxRetries: 0 },
        );
        return { metricKind: String(d.metricKind), valueType: String(d.valueType) };
      } catch (err) {
        if ((err as { code?: number }).code === 5) return undefined;
        throw new RuntimeError(
          `Cloud Monitoring (project ${env.project}): ${String((err as Error).message).split('\n')[0]}`,
        );
      }
    },
    async buildTrigger() {
      const admin = await openTriggerAdmin(env);
      try {
        const t = await admin.get(deploymentTriggerRef(env));
        return t && { name: t.name, disabled: t.disabled };
      } finally {
        await admin.close();
      }
    },
    async transferAgent() {
      const jobs = await openTransferJobs(env, { attempts: 1 });
      try {
        return { agent: await jobs.serviceAccount() };
      } catch (err) {
        if (serviceDisabled(err)) return { disabled: true };
        throw err;
      } finally {
        await jobs.close();
      }
    },
    async kmsPublicKey(keyVersion) {
      const client = await kmsClient(env);
      try {
        const [key] = await client.getPublicKey({ name: keyVersion }, { timeout: 30_000, maxRetries: 0 });
        return { algorithm: String(key.algorithm) };
      } catch (err) {
        throw new RuntimeError(`Cloud KMS ${keyVersion}: ${String((err as Error).message).split('\n')[0]}`);
      } finally {
        await client.close();
      }
    },
    async mongo() {
      const conn = await openMongo(env);
      try {
        await conn.db.command({ ping: 1 });
        const collections = await conn.db.listCollections({}, { nameOnly: true }).toArray();
        return { where: conn.where, database: conn.database, collections: collections.map((c) => c.name) };
      } catch (err) {
        throw new RuntimeError(`MongoDB at ${conn.where}: ${conn.redact(String((err as Error).message))}`);
      } finally {
        await conn.close();
      }
    },
    async firestoreRead(collection) {
      const store = await openDocumentStore(env, { retry: { attempts: 1 } });
      try {
        await store.getAll(collection, ['gwctl-doctor-probe']);
        return { where: store.where };
      } finally {
        await store.close();
      }
    },
    async close() {
      await Promise.all(closers.map((c) => c().catch(() => undefined)));
    },
  };
}

/**
 * A call refused because the API is not enabled in the project: PERMISSION_DENIED with the ErrorInfo reason
 * SERVICE_DISABLED (google/api/error_reason.proto: "The request is calling a disabled service for a consumer"),
 * which google-gax puts on the error as `reason`, and a message that says so ("… API has not been used in project
 * … before or it is disabled").
 */
function serviceDisabled(err: unknown): boolean {
  for (
    let e = err as { reason?: unknown; message?: unknown; cause?: unknown } | undefined;
    e;
    e = e.cause as typeof e
  ) {
    if (e.reason === 'SERVICE_DISABLED') return true;
    if (/has not been used in project \S+ before or it is disabled/.test(String(e.message ?? ''))) return true;
  }
  return false;
}
