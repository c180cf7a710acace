import { fail, pass, type DoctorCheck } from './check.js';
import type { DoctorProbes, KubeAccess } from '../cloud/doctor-probes.js';

/** A resource gwctl calls, and for each verb the commands that call it (src/lib/cloud/kube-resources.ts, keyev). */
interface KubeNeed {
  group: string;
  resource: string;
  subresource?: string;
  namespaced: boolean;
  verbs: Record<string, string[]>;
}

const DEPROVISION = 'env deprovision';
const VERIFY = 'verify infra';
const PROTECT = 'env protect/unprotect';

/**
 * The Kubernetes RBAC gwctl needs, verb by verb: `backup create --quiesce` reads and patches the Vault workload,
 * `env deprovision` lists the namespace and scales or deletes what is in it, the schedules create or replace their
 * CronJob, `env protect` puts and removes its ValidatingAdmissionPolicy, keyev's ConfigMap backend reads and
 * writes one ConfigMap, `verify infra` lists what the manifests declare, and a deprovision holds a Lease.
 */
export const KUBE_NEEDS: KubeNeed[] = [
  {
    group: 'apps',
    resource: 'deployments',
    namespaced: true,
    verbs: { get: ['backup create --quiesce'], list: [DEPROVISION, VERIFY], patch: ['backup create --quiesce'] },
  },
  { group: 'apps', resource: 'deployments', subresource: 'scale', namespaced: true, verbs: { update: [DEPROVISION] } },
  {
    group: 'apps',
    resource: 'statefulsets',
    namespaced: true,
    verbs: { get: ['backup create --quiesce'], list: [DEPROVISION, VERIFY], patch: ['backup create --quiesce'] },
  },
  { group: 'apps', resource: 'statefulsets', subresource: 'scale', namespaced: true, verbs: { update: [DEPROVISION] } },
  {
    group: 'networking.k8s.io',
    resource: 'ingresses',
    namespaced: true,
    verbs: { get: [DEPROVISION], list: [DEPROVISION, VERIFY], delete: [DEPROVISION] },
  },
  {
    group: 'batch',
    resource: 'cronjobs',
    namespaced: true,
    verbs: {
      get: ['backup schedule', 'verify infra schedule'],
      create: ['backup schedule', 'verify infra schedule'],
      update: ['backup schedule', 'verify infra schedule'],
      list: [DEPROVISION, VERIFY],
      delete: [DEPROVISION],
    },
  },
  { group: 'batch', resource: 'jobs', namespaced: true, verbs: { list: [DEPROVISION], delete: [DEPROVISION] } },
  { group: '', resource: 'services', namespaced: true, verbs: { list: [DEPROVISION, VERIFY], delete: [DEPROVISION] } },
  {
    group: '',
    resource: 'configmaps',
    namespaced: true,
    verbs: {
      get: ['migrate keyev (configmap backend)'],
      create: ['migrate keyev (configmap backend)'],
      update: ['migrate keyev (configmap backend)'],
      list: [DEPROVISION, VERIFY],
      delete: [DEPROVISION],
    },
  },
  { group: '', resource: 'secrets', namespaced: true, verbs: { list: [DEPROVISION], delete: [DEPROVISION] } },
  {
    group: '',
    resource: 'persistentvolumeclaims',
    namespaced: true,
    verbs: { list: [DEPROVISION], delete: [DEPROVISION] },
  },
  {
    group: 'coordination.k8s.io',
    resource: 'leases',
    namespaced: true,
    // One deprovision at a time: the Lease gwctl-deprovision-<env> is read, taken, renewed and released.
    verbs: { get: [DEPROVISION, 'env status'], create: [DEPROVISION], update: [DEPROVISION], delete: [DEPROVISION] },
  },
  ...['validatingadmissionpolicies', 'validatingadmissionpolicybindings'].map((resource) => ({
    group: 'admissionregistration.k8s.io',
    resource,
    namespaced: false,
    verbs: { get: ['env status', PROTECT], create: [PROTECT], update: [PROTECT], delete: [PROTECT] },
  })),
];

const resourceName = (n: KubeNeed) => `${n.resource}${n.subresource ? `/${n.subresource}` : ''}`;
const label = (n: KubeNeed) => `${resourceName(n)}${n.group ? `.${n.group}` : ''}`;

/** One check per resource: a SelfSubjectAccessReview for each verb gwctl uses on it. */
export function kubeAccessChecks(probes: DoctorProbes, namespace: string, needs = KUBE_NEEDS): DoctorCheck[] {
  return needs.map((n) => {
    const verbs = Object.keys(n.verbs);
    const where = n.namespaced ? `in namespace ${namespace}` : 'cluster-wide';
    return {
      id: `kube.rbac.${resourceName(n)}`,
      area: 'kubernetes',
      calls: `SelfSubjectAccessReview × ${verbs.length}: ${verbs.join(', ')} ${label(n)} ${where}`,
      expects: 'status.allowed true for each verb',
      neededBy: [...new Set(Object.values(n.verbs).flat())],
      needs: 'kube.api',
      async run() {
        const answers = await Promise.all(
          verbs.map(async (verb) => {
            const access: KubeAccess = {
              verb,
              group: n.group,
              resource: n.resource,
              ...(n.subresource ? { subresource: n.subresource } : {}),
              ...(n.namespaced ? { namespace } : {}),
            };
            return { verb, ...(await probes.canI(access)) };
          }),
        );
        const denied = answers.filter((a) => !a.allowed);
        if (denied.length === 0) return pass(`${verbs.join(', ')} allowed ${where}`);
        return {
          ...fail(`denied ${where}: ${denied.map((d) => `${d.verb} (${n.verbs[d.verb]!.join(', ')})`).join('; ')}`),
          blocks: [...new Set(denied.flatMap((d) => n.verbs[d.verb]!))],
        };
      },
    } satisfies DoctorCheck;
  });
}
