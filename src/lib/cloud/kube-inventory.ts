import type { Configuration, KubernetesObjectApi } from '@kubernetes/client-node';
import type { Environment } from '../config/schema.js';
import { kubeError } from './kube-resources.js';
import { openKubeConfig } from './kube.js';
import { withRetry, type RetryOptions } from './retry.js';

/** A REST resource the cluster serves, from discovery (`kubectl api-resources`). */
export interface ApiResource {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  verbs: string[];
}

/** An object exactly as the API server sent it: plain JSON, every field kept. */
export type LiveObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
  };
};

/** Read-only access to a whole cluster, a kind at a time: discovery, then one paged list per kind. */
export interface ClusterReader {
  /** Every resource of each group's preferred version that can be listed (no subresources). */
  resources(): Promise<ApiResource[]>;
  /** All objects of a resource, in one namespace or (cluster-scoped, or namespace omitted) everywhere. */
  list(
    resource: Pick<ApiResource, 'group' | 'version' | 'plural' | 'kind' | 'namespaced'>,
    namespace?: string,
  ): Promise<LiveObject[]>;
}

const PAGE = 500;

export async function openClusterReader(env: Environment, retry: RetryOptions = {}): Promise<ClusterReader> {
  const k8s = await import('@kubernetes/client-node');
  /**
   * The SDK's typed models keep only the fields they know, so a newer field, or a CRD's, would read as
   * missing. This client does everything the SDK does (auth, TLS, server URL, middleware) but hands back
   * the server's JSON as it is.
   */
  class RawJsonApi extends k8s.KubernetesObjectApi {
    constructor(private readonly cfg: Configuration) {
      super(cfg);
    }

    protected override async processResponse<T>(
      response: Parameters<KubernetesObjectApi['processResponse']>[0],
    ): Promise<T> {
      if (response.httpStatusCode >= 200 && response.httpStatusCode <= 299)
        return JSON.parse(await response.body.text()) as T;
      throw new k8s.ApiException(
        response.httpStatusCode,
        'Unsuccessful HTTP Request',
        await response.body.text(),
        response.headers,
      );
    }

    get<T>(path: string, query: Record<string, string | undefined> = {}): Promise<T> {
      const ctx = this.cfg.baseServer.makeRequestContext(path, k8s.HttpMethod.GET);
      ctx.setHeaderParam('Accept', 'application/json');
      for (const [k, v] of Object.entries(query)) if (v !== undefined) ctx.setQueryParam(k, v);
      return this.requestPromise(ctx) as Promise<T>;
    }
  }
  const api = (await openKubeConfig(env)).makeApiClient(RawJsonApi);
  const call = async <T>(what: string, path: string, query?: Record<string, string | undefined>) => {
    try {
      return await withRetry(() => api.get<T>(path, query), retry);
    } catch (err) {
      throw kubeError(err, what);
    }
  };
  type ResourceList = { resources?: { name: string; kind: string; namespaced: boolean; verbs?: string[] }[] };
  const listable = (group: string, version: string, list: ResourceList): ApiResource[] =>
    (list.resources ?? [])
      .filter((r) => !r.name.includes('/') && (r.verbs ?? []).includes('list'))
      .map((r) => ({ group, version, kind: r.kind, plural: r.name, namespaced: r.namespaced, verbs: r.verbs ?? [] }));

  return {
    async resources() {
      const [core, groups] = await Promise.all([
        call<ResourceList>('reading the API discovery (/api/v1)', '/api/v1'),
        call<{ groups?: { name: string; preferredVersion?: { version: string } }[] }>(
          'reading the API discovery (/apis)',
          '/apis',
        ),
      ]);
      const out = listable('', 'v1', core);
      const lists = await Promise.all(
        (groups.groups ?? [])
          .filter((g) => g.preferredVersion)
          .map(async (g) => {
            const v = g.preferredVersion!.version;
            return listable(
              g.name,
              v,
              await call<ResourceList>(`reading the API discovery (${g.name}/${v})`, `/apis/${g.name}/${v}`),
            );
          }),
      );
      return [...out, ...lists.flat()];
    },

    async list(r, namespace) {
      const root = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
      const path = `${root}${r.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : ''}/${r.plural}`;
      const what = `listing ${r.plural}${r.group ? `.${r.group}` : ''}${r.namespaced && namespace ? ` in namespace ${namespace}` : ''}`;
      const apiVersion = r.group ? `${r.group}/${r.version}` : r.version;
      const items: LiveObject[] = [];
      let token: string | undefined;
      do {
        const page = await call<{ items?: LiveObject[]; metadata?: { continue?: string } }>(what, path, {
          limit: String(PAGE),
          continue: token,
        });
        // Items of a list carry no apiVersion/kind of their own; the list's resource says what they are.
        for (const item of page.items ?? []) items.push({ ...item, apiVersion, kind: r.kind });
        token = page.metadata?.continue || undefined;
      } while (token);
      return items;
    },
  };
}
