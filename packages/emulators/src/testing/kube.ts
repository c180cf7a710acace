import {
  AdmissionregistrationV1Api,
  type ApiException,
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  NetworkingV1Api,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';

/** A kubeconfig for an emulator: one cluster, a dummy bearer token, no TLS. */
export function kubeConfigFor(server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'emu', server, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'emu', cluster: 'emu', user: 'u' }],
    currentContext: 'emu',
  });
  return kc;
}

export interface KubeClients {
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  networking: NetworkingV1Api;
  batch: BatchV1Api;
  admission: AdmissionregistrationV1Api;
  objects: KubernetesObjectApi;
}

/** The real client-node v2 APIs, pointed at an emulator. */
export function kubeClients(server: string): KubeClients {
  const kc = kubeConfigFor(server);
  return {
    kc,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    networking: kc.makeApiClient(NetworkingV1Api),
    batch: kc.makeApiClient(BatchV1Api),
    admission: kc.makeApiClient(AdmissionregistrationV1Api),
    objects: KubernetesObjectApi.makeApiClient(kc),
  };
}

/**
 * Per-call options choosing a patch's Content-Type. client-node v2's generated `patch*` methods
 * send `application/json-patch+json` by default; a middleware that sets the header overrides it:
 *   await apps.patchNamespacedDeployment({ name, namespace, body: { spec: { replicas: 2 } } }, mergePatch);
 * (KubernetesObjectApi.patch takes the strategy as a parameter instead, strategic merge by default.)
 */
export const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
export const strategicMergePatch = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
export const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);

/** client-node v2 leaves an error's body as the raw response text. */
export function statusOf(err: ApiException<unknown>): {
  kind: string;
  message: string;
  reason: string;
  code: number;
  details?: Record<string, unknown>;
} {
  return typeof err.body === 'string' ? JSON.parse(err.body) : (err.body as ReturnType<typeof statusOf>);
}
