import { stringify } from 'yaml';
import { makePlan, type Plan } from '../plan/plan.js';

/** A volume mounted into gwctl's container beside its configuration and state. */
export interface ExtraVolume {
  name: string;
  mountPath: string;
  volume: Record<string, unknown>;
}

/**
 * The pod that runs gwctl in a cluster (gwctl's image, see the Dockerfile): non-root, read-only root
 * filesystem, gwctl.yaml from a ConfigMap at /etc/gwctl (when it needs one), the audit log and /tmp in emptyDirs.
 */
export function gwctlPodSpec(o: {
  image: string;
  args: string[];
  serviceAccount: string;
  /** ConfigMap with gwctl.yaml under the key `gwctl.yaml`; none for a job that needs no configuration. */
  configMap?: string;
  extraVolumes?: ExtraVolume[];
}) {
  const extra = o.extraVolumes ?? [];
  return {
    serviceAccountName: o.serviceAccount,
    restartPolicy: 'Never',
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    containers: [
      {
        name: 'gwctl',
        image: o.image,
        args: o.args,
        env: [
          ...(o.configMap ? [{ name: 'GWCTL_CONFIG', value: '/etc/gwctl/gwctl.yaml' }] : []),
          { name: 'GWCTL_HOME', value: '/var/lib/gwctl' },
          { name: 'NO_COLOR', value: '1' },
        ],
        resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } },
        securityContext: {
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        },
        volumeMounts: [
          ...(o.configMap ? [{ name: 'config', mountPath: '/etc/gwctl', readOnly: true }] : []),
          ...extra.map((v) => ({ name: v.name, mountPath: v.mountPath, readOnly: true })),
          { name: 'state', mountPath: '/var/lib/gwctl' },
          { name: 'tmp', mountPath: '/tmp' },
        ],
      },
    ],
    volumes: [
      ...(o.configMap ? [{ name: 'config', configMap: { name: o.configMap } }] : []),
      ...extra.map((v) => ({ name: v.name, ...v.volume })),
      { name: 'state', emptyDir: {} },
      { name: 'tmp', emptyDir: {} },
    ],
  };
}

/**
 * A CronJob's name: at most 52 characters, because the controller appends an 11-character suffix to name its
 * Jobs, which must fit Kubernetes' 63 (https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/).
 */
export const cronJobName = (component: string, name: string) =>
  `gwctl-${component}-${name}`.slice(0, 52).replace(/-$/, '');

/** The labels of everything gwctl runs in a cluster for an environment. */
export const gwctlJobLabels = (component: string, env: string) => ({
  'app.kubernetes.io/name': 'gwctl',
  'app.kubernetes.io/component': component,
  'app.kubernetes.io/managed-by': 'gwctl',
  'gwctl/environment': env,
});

interface CronJobLike {
  metadata: { name: string; namespace: string; annotations: { 'gwctl/command': string } };
  spec: { schedule: string };
}

/** The plan of a `… schedule --apply`: create or replace one CronJob. */
export function cronJobPlan(o: {
  command: string;
  env: string;
  summary: string;
  job: CronJobLike;
  exists: boolean;
}): Plan {
  const { name, namespace } = o.job.metadata;
  return makePlan({
    command: o.command,
    env: o.env,
    summary: o.summary,
    destructive: false,
    steps: [
      {
        id: `cronjob/${namespace}/${name}`,
        action: o.exists ? 'replace' : 'create',
        target: `cronjob/${namespace}/${name}`,
        description: `runs ${o.job.metadata.annotations['gwctl/command']} at "${o.job.spec.schedule}"`,
        detail: o.job,
      },
    ],
  });
}

export const cronJobYaml = (job: object) => stringify(job, { lineWidth: 0, aliasDuplicateObjects: false });
