import { isPlainObject } from './merge-patch.js';
import { selectorToString, type LabelSelectorObject } from './selectors.js';
import type { KubeObject } from './store.js';

/** The autoscaling/v1 `Scale` view of a Deployment or StatefulSet. */
export function toScale(o: KubeObject): KubeObject {
  const spec = (isPlainObject(o.spec) ? o.spec : {}) as { replicas?: number; selector?: LabelSelectorObject };
  const status = (isPlainObject(o.status) ? o.status : {}) as { replicas?: number };
  const m = o.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp,
    },
    spec: { replicas: spec.replicas ?? 1 },
    status: { replicas: status.replicas ?? 0, selector: selectorToString(spec.selector) },
  };
}

/** Reads `spec.replicas` from a Scale body, or undefined when it is not a non-negative integer. */
export function replicasOf(scale: unknown): number | undefined {
  const spec = isPlainObject(scale) && isPlainObject(scale.spec) ? scale.spec : {};
  const n = spec.replicas ?? 0;
  return Number.isInteger(n) && (n as number) >= 0 ? (n as number) : undefined;
}
