import { isPlainObject } from './merge-patch.js';
import { uidBits } from './object-meta.js';
import type { KubeObject } from './store.js';

/** The finalizer GKE's ingress controller puts on an Ingress while its load balancer exists (V2), and its older name. */
export const GKE_INGRESS_FINALIZERS = ['networking.gke.io/ingress-finalizer-V2', 'networking.gke.io/ingress-finalizer'];

/** GKE's controller handles Ingresses without a class and those of class `gce`/`gce-internal`. */
export function isGceIngress(o: KubeObject): boolean {
  const spec = (isPlainObject(o.spec) ? o.spec : {}) as { ingressClassName?: string };
  const cls = spec.ingressClassName ?? o.metadata.annotations?.['kubernetes.io/ingress.class'];
  return cls === undefined || cls === 'gce' || cls === 'gce-internal';
}

/**
 * What GKE's ingress controller does to a new Ingress, done at once: provision a load balancer
 * (an IP in status) and add its finalizer, so deleting the Ingress waits for LB teardown.
 */
export function provisionLoadBalancer(o: KubeObject): void {
  if (o.kind !== 'Ingress' || !isGceIngress(o)) return;
  const finalizers = o.metadata.finalizers ?? [];
  if (!finalizers.some((f) => GKE_INGRESS_FINALIZERS.includes(f)))
    o.metadata.finalizers = [...finalizers, GKE_INGRESS_FINALIZERS[0]];
  const [a, b] = uidBits(o.metadata.uid);
  o.status = { loadBalancer: { ingress: [{ ip: `34.120.${a}.${b}` }] } };
}

export const hasGkeFinalizer = (o: KubeObject): boolean =>
  (o.metadata.finalizers ?? []).some((f) => GKE_INGRESS_FINALIZERS.includes(f));
