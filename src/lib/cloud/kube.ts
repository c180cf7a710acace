import type { KubeConfig } from '@kubernetes/client-node';
import { kubeAccessConflict } from '../config/kube-access.js';
import type { Environment } from '../config/schema.js';
import { UsageError } from '../errors/gwctl-error.js';
import { refuseRealCloudForSandbox } from './sandbox-guard.js';

/**
 * A KubeConfig for the environment: its kubeconfig context, or a direct server URL (the sandbox's
 * emulator) with no credentials; never both (../config/kube-access.ts). The SDK is loaded lazily.
 */
export async function openKubeConfig(env: Environment): Promise<KubeConfig> {
  const { server, context, kubeconfig } = env.kube;
  const conflict = kubeAccessConflict(env.kube);
  if (conflict) throw new UsageError(`environment ${env.name}: ${conflict}`);
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  if (server) {
    kc.loadFromOptions({
      // An emulator's self-signed certificate is trusted on this machine only; any other server is verified.
      clusters: [{ name: 'gwctl', server, skipTLSVerify: isLoopback(server) }],
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

function isLoopback(server: string): boolean {
  const host = new URL(server).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
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
