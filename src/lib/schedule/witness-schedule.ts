import { UsageError } from '../errors/gwctl-error.js';
import { cronJobName, gwctlPodSpec } from './gwctl-job.js';

export interface WitnessScheduleOptions {
  /** A short name for the log, used in the CronJob's name (e.g. relaycorp-prod). */
  name: string;
  namespace: string;
  log: string;
  key: string;
  /** gs://… in the witness's own bucket: a pod keeps no files between runs. */
  state: string;
  everyMinutes: number;
  image: string;
  serviceAccount: string;
  /** Secret holding the witness signer key under `witness.key`. */
  secret: string;
}

/** Minutes that divide the hour, or whole hours that divide the day: cron keeps those evenly. */
function cronEvery(minutes: number): string {
  if ([1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30].includes(minutes)) return `*/${minutes} * * * *`;
  if (minutes % 60 === 0 && 24 % (minutes / 60) === 0)
    return minutes === 60 ? '0 * * * *' : `0 */${minutes / 60} * * *`;
  throw new UsageError(
    `--every: pick an interval that divides the hour (e.g. 5m, 15m) or the day (1h, 6h), not ${minutes}m`,
  );
}

/**
 * The CronJob an independent party runs in its own cluster and project to witness a gwctl audit log
 * (`gwctl audit witness` on a schedule). Its Kubernetes service account needs read access to the log's bucket
 * and write access to `<prefix>cosignature/` there, and read/write on its own state object; nothing else.
 */
export function witnessCronJob(o: WitnessScheduleOptions) {
  if (!o.state.startsWith('gs://'))
    throw new UsageError(
      '--state: a scheduled witness keeps its state in its own bucket (gs://<bucket>/<object>): a pod keeps no files',
    );
  const name = cronJobName('witness', o.name);
  const labels = {
    'app.kubernetes.io/name': 'gwctl',
    'app.kubernetes.io/component': 'audit-witness',
    'app.kubernetes.io/managed-by': 'gwctl',
  };
  const args = [
    'audit',
    'witness',
    '--log',
    o.log,
    '--key',
    o.key,
    '--witness-key',
    '/etc/gwctl-witness/witness.key',
    '--state',
    o.state,
    '--json',
  ];
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob' as const,
    metadata: { name, namespace: o.namespace, labels, annotations: { 'gwctl/log': o.log } },
    spec: {
      schedule: cronEvery(o.everyMinutes),
      timeZone: 'Etc/UTC',
      // Two rounds at once would race on the state object; the next round catches up anyway.
      concurrencyPolicy: 'Forbid',
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 5,
      jobTemplate: {
        metadata: { labels },
        spec: {
          // A refusal is a finding, not a glitch: retrying it would only repeat it.
          backoffLimit: 0,
          activeDeadlineSeconds: Math.max(60, Math.min(o.everyMinutes * 60, 3600)),
          template: {
            metadata: { labels },
            // No gwctl.yaml: a witness needs only the log's URL and key, and its own key from the Secret.
            spec: gwctlPodSpec({
              image: o.image,
              args,
              serviceAccount: o.serviceAccount,
              extraVolumes: [
                {
                  name: 'witness-key',
                  mountPath: '/etc/gwctl-witness',
                  volume: { secret: { secretName: o.secret, defaultMode: 0o400 } },
                },
              ],
            }),
          },
        },
      },
    },
  };
}
