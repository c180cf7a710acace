import type { CoreV1Api, V1ConfigMap } from '@kubernetes/client-node';
import type { Environment } from '../config/schema.js';
import { openKubeApis } from './kube.js';
import { RuntimeError } from '../errors/gwctl-error.js';
import { ConfigMapConflict, type ConfigMapApi, type ConfigMapObject } from './configmap-api.js';

/** The ConfigMap calls over @kubernetes/client-node's CoreV1Api; 404 and 409 become values the backend understands. */
export function kubeConfigMapApi(core: CoreV1Api, context: string): ConfigMapApi {
  const fail = (what: string, err: unknown) => {
    const code = (err as { code?: unknown }).code;
    const reason = kubeReason(err);
    const hint =
      code === 401 || code === 403
        ? 'check the kube context and its RBAC (get/create/update configmaps)'
        : 'check the kube context and that the API server is reachable';
    return new RuntimeError(`cannot ${what} (${context}): ${reason}; ${hint}`);
  };
  return {
    async read(namespace, name) {
      try {
        return (await core.readNamespacedConfigMap({ name, namespace })) as ConfigMapObject;
      } catch (err) {
        if ((err as { code?: unknown }).code === 404) return undefined;
        throw fail(`read ConfigMap ${namespace}/${name}`, err);
      }
    },
    async create(namespace, body) {
      try {
        return (await core.createNamespacedConfigMap({ namespace, body: body as V1ConfigMap })) as ConfigMapObject;
      } catch (err) {
        if ((err as { code?: unknown }).code === 409) throw new ConfigMapConflict();
        throw fail(`create ConfigMap ${namespace}/${body.metadata.name}`, err);
      }
    },
    async replace(namespace, name, body) {
      try {
        return (await core.replaceNamespacedConfigMap({
          name,
          namespace,
          body: body as V1ConfigMap,
        })) as ConfigMapObject;
      } catch (err) {
        if ((err as { code?: unknown }).code === 409) throw new ConfigMapConflict();
        throw fail(`update ConfigMap ${namespace}/${name}`, err);
      }
    },
  };
}

/** The environment's ConfigMap API, through the shared kube client factory. */
export async function openConfigMapApi(env: Environment): Promise<ConfigMapApi> {
  const { core } = await openKubeApis(env);
  return kubeConfigMapApi(core, `kube context ${env.kube.context ?? env.kube.server ?? 'current'}`);
}

/** The API server's own message (`configmaps "x" is forbidden: …`) when there is one. */
function kubeReason(err: unknown): string {
  const e = err as { code?: number; body?: unknown; message?: string };
  let body = e.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      // Not JSON: fall back to the message.
    }
  }
  const message = (body as { message?: string } | undefined)?.message ?? e.message ?? String(err);
  return `${e.code ? `HTTP ${e.code}: ` : ''}${message.split('\n')[0]}`;
}
