/** `deployment/default/public-gateway-poweb`, or `namespace/default` for a cluster-scoped object: as plan steps name them. */
export const kubeRef = (kind: string, name: string, namespace?: string) =>
  namespace ? `${kind.toLowerCase()}/${namespace}/${name}` : `${kind.toLowerCase()}/${name}`;

/** The API group of an apiVersion (`apps/v1` → `apps`, `v1` → core, the empty string). */
export const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');

/** Identity across versions: an object read as apps/v1 is the one a manifest names as apps/v1beta2. */
export const identity = (group: string, kind: string, name: string, namespace?: string) =>
  `${group}|${kind}|${namespace ?? ''}|${name}`;
