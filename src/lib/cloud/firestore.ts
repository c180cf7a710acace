import type { Environment } from '../config/schema.js';
import { GwctlError, RuntimeError } from '../errors/gwctl-error.js';
import { authOptions } from './google-auth.js';
import { withRetry, type RetryOptions } from './retry.js';
import { refuseRealCloudForSandbox } from './sandbox-guard.js';
import type { DocumentStore, FieldMap } from './document-store.js';

/** gRPC status codes worth another try: the call may not have run, or may run again to the same effect. */
const TRANSIENT_RPC_CODES = new Set([
  4, // DEADLINE_EXCEEDED
  8, // RESOURCE_EXHAUSTED
  10, // ABORTED
  13, // INTERNAL
  14, // UNAVAILABLE
]);

export const isTransientRpcError = (err: unknown) =>
  TRANSIENT_RPC_CODES.has((err as { code?: unknown })?.code as number);

/**
 * The environment's Firestore, through Google's Firestore API client (@google-cloud/firestore-api, which
 * the high-level SDK is built on): it reads and writes Firestore's own typed values, so a double stays a
 * double both ways (see firestore-values.ts). The emulator in gwctl.yaml (`emulators.firestore`) wins, then
 * FIRESTORE_EMULATOR_HOST; otherwise Application Default Credentials are used. Every call is retried here
 * (one layer, the client library's own retries off): reads, and commits of whole-document sets and
 * deletes, which a repeat lands the same. Loaded on first use, so `gwctl --help` never pays for it.
 */
export async function openDocumentStore(env: Environment, opts: { retry?: RetryOptions } = {}): Promise<DocumentStore> {
  if (!env.emulators?.firestore) refuseRealCloudForSandbox(env, 'Firestore');
  const [{ v1 }, { encodeFields, decodeFields }] = await Promise.all([
    import('@google-cloud/firestore-api'),
    import('./firestore-values.js'),
  ]);
  const database = `projects/${env.project}/databases/${env.firestore.databaseId}`;
  const emulator = env.emulators?.firestore ?? process.env.FIRESTORE_EMULATOR_HOST;
  let client: InstanceType<typeof v1.FirestoreClient>;
  const headers: Record<string, string> = { 'google-cloud-resource-prefix': database };
  if (emulator) {
    const { credentials } = await import('@grpc/grpc-js');
    const { hostname, port } = new URL(`http://${emulator.replace(/^https?:\/\//, '')}`);
    client = new v1.FirestoreClient({
      servicePath: hostname.replace(/^\[(.*)\]$/, '$1'),
      port: Number(port || 8080),
      sslCreds: credentials.createInsecure(),
      projectId: env.project,
      // Saves google-auth's metadata-server probe (half a second and a warning) when no credentials exist.
      universeDomain: 'googleapis.com',
    });
    // What the emulator treats as an admin caller (no security rules), as the SDK sends it to an emulator.
    headers.Authorization = 'Bearer owner';
  } else client = new v1.FirestoreClient({ projectId: env.project, ...(await authOptions(env)) });
  const call = { retry: null, timeout: 60_000, otherArgs: { headers } };
  const retried = <T>(fn: () => Promise<T>) => withRetry(fn, { ...opts.retry, isRetryable: isTransientRpcError });
  const where = `${env.project}/${env.firestore.databaseId}`;
  const docName = (collection: string, id: string) => `${database}/documents/${collection}/${id}`;
  const idOf = (name: string) => name.slice(name.lastIndexOf('/') + 1);
  const failed = (what: string, err: unknown) =>
    err instanceof GwctlError
      ? err
      : new RuntimeError(
          `cannot ${what} in Firestore ${where} (environment ${env.name}): ${String((err as Error).message ?? err).split('\n')[0]}`,
        );
  /** A server stream's messages, all of them (a stream that breaks is read again from the start by the caller). */
  const drain = <T>(stream: NodeJS.ReadableStream) =>
    new Promise<T[]>((resolve, reject) => {
      const out: T[] = [];
      stream.on('data', (m: T) => out.push(m));
      stream.on('error', reject);
      stream.on('end', () => resolve(out));
    });
  type Doc = { name?: string | null; fields?: Parameters<typeof decodeFields>[0] };
  return {
    where,
    async list(collection) {
      try {
        const answers = await retried(() =>
          drain<{ document?: Doc | null }>(
            client.runQuery(
              { parent: `${database}/documents`, structuredQuery: { from: [{ collectionId: collection }] } },
              call,
            ),
          ),
        );
        return new Map(
          answers.flatMap(({ document: d }) => (d?.name ? [[idOf(d.name), decodeFields(d.fields)] as const] : [])),
        );
      } catch (err) {
        throw failed(`list collection ${collection}`, err);
      }
    },
    async getAll(collection, ids) {
      const out = new Map<string, FieldMap>();
      try {
        for (let i = 0; i < ids.length; i += 300) {
          const documents = ids.slice(i, i + 300).map((id) => docName(collection, id));
          const answers = await retried(() =>
            drain<{ found?: Doc | null }>(client.batchGetDocuments({ database, documents }, call)),
          );
          for (const { found } of answers) if (found?.name) out.set(idOf(found.name), decodeFields(found.fields));
        }
      } catch (err) {
        throw failed(`read documents of ${collection}`, err);
      }
      return out;
    },
    async commit(writes) {
      const request = {
        database,
        writes: writes.map((w) =>
          'delete' in w
            ? { delete: docName(w.collection, w.id) }
            : { update: { name: docName(w.collection, w.id), fields: encodeFields(w.data) } },
        ),
      };
      try {
        await retried(() => client.commit(request, call));
      } catch (err) {
        throw failed(`write ${writes.length} document(s)`, err);
      }
    },
    close: () => client.close(),
  };
}
