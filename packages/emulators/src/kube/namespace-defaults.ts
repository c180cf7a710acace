import { NAMESPACES, type KubeApiServer } from './api-server.js';
import type { Controller } from './controllers.js';
import { resourceByPath } from './resources.js';
import type { KubeObject } from './store.js';

const SERVICE_ACCOUNTS = resourceByPath('', 'v1', 'serviceaccounts')!;
const CONFIG_MAPS = resourceByPath('', 'v1', 'configmaps')!;

/** The CA bundle the root-ca-cert-publisher puts in every namespace (a stand-in certificate). */
const ROOT_CA = '-----BEGIN CERTIFICATE-----\nMIIBemulatedkuberootca\n-----END CERTIFICATE-----\n';

/**
 * What the controller manager puts in every namespace: the `default` ServiceAccount
 * (serviceaccounts-controller) and the `kube-root-ca.crt` ConfigMap (root-ca-cert-publisher).
 * Deleted ones come back; nothing is made in a namespace being deleted.
 */
export class NamespaceDefaultsController implements Controller {
  constructor(private readonly api: KubeApiServer) {}

  reconcile(): void {
    for (const ns of this.api.store.list(NAMESPACES)) {
      const name = ns.metadata.name ?? '';
      if (ns.metadata.deletionTimestamp) continue;
      if (!this.api.store.get(SERVICE_ACCOUNTS, name, 'default'))
        this.api.systemCreate(SERVICE_ACCOUNTS, {
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: { name: 'default', namespace: name },
        });
      if (!this.api.store.get(CONFIG_MAPS, name, 'kube-root-ca.crt'))
        this.api.systemCreate(CONFIG_MAPS, rootCaConfigMap(name));
    }
  }
}

function rootCaConfigMap(namespace: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'kube-root-ca.crt',
      namespace,
      annotations: {
        'kubernetes.io/description':
          'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.',
      },
    },
    data: { 'ca.crt': ROOT_CA },
  };
}
