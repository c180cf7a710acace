import { isPlainObject } from './merge-patch.js';
import type { KubeObject } from './store.js';

type Fields = Record<string, unknown>;

const obj = (parent: Fields, key: string): Fields => {
  if (!isPlainObject(parent[key])) parent[key] = {};
  return parent[key] as Fields;
};
const each = (list: unknown, fn: (item: Fields) => void) => {
  if (Array.isArray(list)) for (const item of list) if (isPlainObject(item)) fn(item);
};

/**
 * The defaults the API server writes into every object it stores, on every create and update, as
 * listed in the Kubernetes API reference (pkg/apis/{apps,batch,core}/v1/defaults.go): what a
 * `kubectl get -o yaml` shows that the manifest never said. Allocations (a Service's cluster IP,
 * a PVC's volume) are made once, at create time, in object-defaults.ts.
 */
export function applySchemaDefaults(o: KubeObject): void {
  if (!isPlainObject(o.spec)) return;
  const spec = o.spec as Fields;
  switch (o.kind) {
    case 'Deployment': {
      spec.replicas ??= 1;
      spec.revisionHistoryLimit ??= 10;
      spec.progressDeadlineSeconds ??= 600;
      const strategy = obj(spec, 'strategy');
      strategy.type ??= 'RollingUpdate';
      if (strategy.type === 'RollingUpdate') {
        const rolling = obj(strategy, 'rollingUpdate');
        rolling.maxUnavailable ??= '25%';
        rolling.maxSurge ??= '25%';
      }
      podTemplateDefaults(spec.template);
      break;
    }
    case 'ReplicaSet':
      spec.replicas ??= 1;
      podTemplateDefaults(spec.template);
      break;
    case 'StatefulSet': {
      spec.replicas ??= 1;
      spec.revisionHistoryLimit ??= 10;
      spec.podManagementPolicy ??= 'OrderedReady';
      const strategy = obj(spec, 'updateStrategy');
      strategy.type ??= 'RollingUpdate';
      if (strategy.type === 'RollingUpdate') obj(strategy, 'rollingUpdate').partition ??= 0;
      const retention = obj(spec, 'persistentVolumeClaimRetentionPolicy');
      retention.whenDeleted ??= 'Retain';
      retention.whenScaled ??= 'Retain';
      each(spec.volumeClaimTemplates, (t) => {
        t.apiVersion ??= 'v1';
        t.kind ??= 'PersistentVolumeClaim';
        obj(t, 'spec').volumeMode ??= 'Filesystem';
        t.status ??= { phase: 'Pending' };
      });
      podTemplateDefaults(spec.template);
      break;
    }
    case 'CronJob': {
      spec.suspend ??= false;
      spec.concurrencyPolicy ??= 'Allow';
      spec.successfulJobsHistoryLimit ??= 3;
      spec.failedJobsHistoryLimit ??= 1;
      const job = obj(obj(spec, 'jobTemplate'), 'spec');
      jobDefaults(job);
      break;
    }
    case 'Job':
      jobDefaults(spec);
      break;
    case 'Pod':
      podSpecDefaults(spec);
      break;
    case 'Service':
      serviceDefaults(spec);
      break;
  }
}

function jobDefaults(spec: Fields): void {
  spec.backoffLimit ??= 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  podTemplateDefaults(spec.template);
}

function podTemplateDefaults(template: unknown): void {
  if (isPlainObject(template)) podSpecDefaults(obj(template as Fields, 'spec'));
}

function podSpecDefaults(spec: Fields): void {
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.securityContext ??= {};
  spec.schedulerName ??= 'default-scheduler';
  each(spec.containers, containerDefaults);
  each(spec.initContainers, containerDefaults);
  each(spec.volumes, (v) => {
    if (isPlainObject(v.configMap)) (v.configMap as Fields).defaultMode ??= 0o644;
    if (isPlainObject(v.secret)) (v.secret as Fields).defaultMode ??= 0o644;
  });
}

function containerDefaults(c: Fields): void {
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.imagePullPolicy ??= pullPolicyFor(typeof c.image === 'string' ? c.image : '');
  c.resources ??= {};
  each(c.ports, (p) => {
    p.protocol ??= 'TCP';
  });
}

/** `Always` for `:latest` or an untagged image, else `IfNotPresent` (a digest pins the image). */
export function pullPolicyFor(image: string): string {
  if (image.includes('@')) return 'IfNotPresent';
  const tag = /:([^/:]+)$/.exec(image)?.[1];
  return tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function serviceDefaults(spec: Fields): void {
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  if (spec.type !== 'ExternalName') {
    spec.internalTrafficPolicy ??= 'Cluster';
    spec.ipFamilies ??= ['IPv4'];
    spec.ipFamilyPolicy ??= 'SingleStack';
  }
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.externalTrafficPolicy ??= 'Cluster';
  each(spec.ports, (p) => {
    p.protocol ??= 'TCP';
    p.targetPort ??= p.port;
  });
}
