import type { Environment } from '../config/schema.js';
import type { KeyevBackend, KeyevStore } from './store.js';

/** The environment's keyev store: the backend from gwctl.yaml (`keyev.backend`) unless one is asked for. */
export async function openKeyev(env: Environment, backend: KeyevBackend = env.keyev.backend): Promise<KeyevStore> {
  if (backend === 'configmap') {
    const [{ openConfigMapApi }, { configMapKeyev }] = await Promise.all([
      import('../cloud/kube-configmaps.js'),
      import('./configmap-backend.js'),
    ]);
    return configMapKeyev(await openConfigMapApi(env), env.kube.namespace, env.keyev.configMap);
  }
  const [{ openDocumentStore }, { firestoreKeyev }] = await Promise.all([
    import('../cloud/firestore.js'),
    import('./firestore-backend.js'),
  ]);
  return firestoreKeyev(await openDocumentStore(env), env.keyev.collection);
}
