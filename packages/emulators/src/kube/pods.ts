import { createHash } from 'node:crypto';
import { runningImage } from './image-ids.js';
import { isPlainObject } from './merge-patch.js';
import { uidBits } from './object-meta.js';
import type { KubeObject, OwnerReference } from './store.js';

type Fields = Record<string, unknown>;

/** The node every emulated pod is scheduled on (a GKE node name). */
export const NODE_NAME = 'gke-gateway-default-pool-5f2a9c1e-x7k2';

export const controllerOf = (o: KubeObject): OwnerReference | undefined =>
  o.metadata.ownerReferences?.find((r) => r.controller);

export const ownerReference = (owner: KubeObject): OwnerReference => ({
  apiVersion: owner.apiVersion,
  kind: owner.kind,
  name: owner.metadata.name ?? '',
  uid: owner.metadata.uid ?? '',
  controller: true,
  blockOwnerDeletion: true,
});

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * A short, stable hash of a pod template, in the alphabet the controllers use for
 * `pod-template-hash` and `controller-revision-hash`: the same template always gives the same name.
 */
export function templateHash(template: unknown): string {
  const digest = createHash('sha256')
    .update(JSON.stringify(sortKeys(template)))
    .digest();
  let out = '';
  for (let i = 0; i < 10; i++) out += ALPHANUMS[digest[i]! % ALPHANUMS.length];
  return out;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isPlainObject(v)) return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, sortKeys(v[k])]),
  );
}

/**
 * A pod made from a workload's template, already running as the kubelet would report it: scheduled,
 * ready, and each container's `imageID` the digest it runs (see image-ids.ts).
 */
export function runningPod(opts: {
  name: string;
  namespace: string;
  template: unknown;
  owner: KubeObject;
  labels?: Record<string, string>;
  spec?: Fields;
  now: string;
}): KubeObject {
  const template = (isPlainObject(opts.template) ? structuredClone(opts.template) : {}) as Fields;
  const meta = (isPlainObject(template.metadata) ? template.metadata : {}) as Fields;
  const spec = { ...(isPlainObject(template.spec) ? (template.spec as Fields) : {}), ...opts.spec };
  spec.nodeName = NODE_NAME;
  spec.serviceAccountName ??= 'default';
  spec.serviceAccount = spec.serviceAccountName;
  spec.enableServiceLinks ??= true;
  spec.priority ??= 0;
  const containers = (Array.isArray(spec.containers) ? spec.containers : []) as Fields[];
  const [a, b] = uidBits(`${opts.namespace}/${opts.name}`);
  const ready = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: opts.now });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: opts.name,
      namespace: opts.namespace,
      labels: { ...(meta.labels as Record<string, string> | undefined), ...opts.labels },
      ...(isPlainObject(meta.annotations) ? { annotations: meta.annotations as Record<string, string> } : {}),
      ownerReferences: [ownerReference(opts.owner)],
    },
    spec,
    status: {
      phase: 'Running',
      conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(ready),
      hostIP: '10.128.0.12',
      hostIPs: [{ ip: '10.128.0.12' }],
      podIP: `10.8.${a}.${b}`,
      podIPs: [{ ip: `10.8.${a}.${b}` }],
      startTime: opts.now,
      qosClass: 'BestEffort',
      containerStatuses: containers.map((c) => ({
        name: c.name,
        ...runningImage(typeof c.image === 'string' ? c.image : ''),
        containerID: `containerd://${createHash('sha256')
          .update(`${opts.namespace}/${opts.name}/${String(c.name)}`)
          .digest('hex')}`,
        ready: true,
        started: true,
        restartCount: 0,
        state: { running: { startedAt: opts.now } },
        lastState: {},
      })),
    },
  };
}
