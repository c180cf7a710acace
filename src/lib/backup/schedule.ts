import { UsageError } from '../errors/gwctl-error.js';
import { cronJobName, gwctlJobLabels, gwctlPodSpec } from '../schedule/gwctl-job.js';
import { sha256Hex } from './hashes.js';

const HOUR_MS = 3_600_000;
/** Intervals cron can keep evenly through the day. */
const EVEN_HOURS = [1, 2, 3, 4, 6, 8, 12, 24];

/**
 * The cron schedule for "every N hours": 1 h ≤ N ≤ 24 h, and N must divide the day (cron restarts its
 * hour count at midnight, so "every 5 h" would leave a 4 h gap). The minute and first hour are taken
 * from the environment's name, so environments sharing a cluster do not all start at :00.
 */
export function cronSchedule(everyMs: number, env: string): string {
  if (!(everyMs >= HOUR_MS && everyMs <= 24 * HOUR_MS))
    throw new UsageError(
      `--every: a backup interval must be between 1h and 24h (Vault needs one every 8–24h), got ${formatHours(everyMs)}`,
    );
  const hours = everyMs / HOUR_MS;
  if (!EVEN_HOURS.includes(hours))
    throw new UsageError(
      `--every ${formatHours(everyMs)}: cron can only run evenly every ${EVEN_HOURS.map((h) => `${h}h`).join(', ')}; pick one of those`,
    );
  const seed = parseInt(sha256Hex(env).slice(0, 8), 16);
  const minute = seed % 60;
  if (hours === 1) return `${minute} * * * *`;
  const first = Math.floor(seed / 60) % hours;
  const at: number[] = [];
  for (let h = first; h < 24; h += hours) at.push(h);
  return `${minute} ${at.join(',')} * * *`;
}

const formatHours = (ms: number) => (ms % HOUR_MS === 0 ? `${ms / HOUR_MS}h` : `${Math.round(ms / 60_000)}m`);

export interface ScheduleOptions {
  env: string;
  namespace: string;
  everyMs: number;
  image: string;
  /** `--bucket` passed on to `backup create`. */
  bucket: string;
  quiesce: boolean;
  /** Kubernetes service account, bound to a Google service account with Workload Identity. */
  serviceAccount: string;
  /** ConfigMap holding gwctl.yaml under the key `gwctl.yaml`. */
  configMap: string;
}

/** The CronJob that runs `gwctl backup create` in the gateway's cluster, as a plain manifest. */
export function backupCronJob(o: ScheduleOptions) {
  const name = cronJobName('backup', o.env);
  const labels = gwctlJobLabels('backup', o.env);
  // --json: the job's log (Cloud Logging) keeps the result as data. With audit.log set, its intent and outcome go
  // to the environment's shared audit log (a local file log would go with the pod).
  const args = [
    'backup',
    'create',
    '--env',
    o.env,
    '--bucket',
    o.bucket,
    '--yes',
    '--json',
    ...(o.quiesce ? ['--quiesce'] : []),
  ];
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob' as const,
    metadata: {
      name,
      namespace: o.namespace,
      labels,
      annotations: { 'gwctl/command': `gwctl ${args.join(' ')}`, 'gwctl/every': formatHours(o.everyMs) },
    },
    spec: {
      schedule: cronSchedule(o.everyMs, o.env),
      timeZone: 'Etc/UTC',
      // Two backups at once would be safe (blobs are write-once) but pointless.
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 3600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 5,
      jobTemplate: {
        metadata: { labels },
        spec: {
          backoffLimit: 2,
          // A run may not outlast its interval, and never the 24 h prune grace period that protects its blobs.
          activeDeadlineSeconds: Math.min(o.everyMs, 24 * HOUR_MS) / 1000,
          template: {
            metadata: { labels },
            spec: gwctlPodSpec({ image: o.image, args, serviceAccount: o.serviceAccount, configMap: o.configMap }),
          },
        },
      },
    },
  };
}

export type BackupCronJob = ReturnType<typeof backupCronJob>;
