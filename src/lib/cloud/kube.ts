import type { KubeConfig } from '@kubernetes/client-node';
import type { Environment } from '../config/schema.js';
import { refuseRealCloudForSandbox } from './sandbox-guard.js';

/**
 * A KubeConfig for the environment: its kubeconfig context, or a direct server URL (the sandbox's
 * emulator) with no credentials. The SDK is loaded lazily.
 */
export async function openKubeConfig(env: Environment): Promise<KubeConfig> {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  const { server, context, kubeconfig } = env.kube;
  if (server && !kubeconfig && (!context || context === 'gwctl-sandbox')) {
    kc.loadFromOptions({
      clusters: [{ name: 'gwctl', server, skipTLSVerify: true }],
      users: [{ name: 'gwctl' }],
      contexts: [{ name: 'gwctl', cluster: 'gwctl', user: 'gwctl', namespace: env.kube.namespace }],
      currentContext: 'gwctl',
    });
    return kc;
  }
  refuseRealCloudForSandbox(env, 'Kubernetes API');
  if (kubeconfig) kc.loadFromFile(kubeconfig);
  else kc.loadFromDefault();
  if (context) kc.setCurrentContext(context);
  return kc;
}

export type KubeApis = Awaited<ReturnType<typeof openKubeApis>>;

/** The typed API groups gwctl uses, plus the generic object API. */
export async function openKubeApis(env: Environment) {
  const k8s = await import('@kubernetes/client-node');
  const kc = await openKubeConfig(env);
  return {
    kc,
    namespace: env.kube.namespace,
    core: kc.makeApiClient(k8s.CoreV1Api),
    apps: kc.makeApiClient(k8s.AppsV1Api),
    networking: kc.makeApiClient(k8s.NetworkingV1Api),
    batch: kc.makeApiClient(k8s.BatchV1Api),
    admission: kc.makeApiClient(k8s.AdmissionregistrationV1Api),
    objects: k8s.KubernetesObjectApi.makeApiClient(kc),
  };
}
