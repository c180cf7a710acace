import { createHash } from 'node:crypto';
import { ExitCode, UsageError } from '../errors/gwctl-error.js';
import type { Plan } from '../plan/plan.js';
import { cronJobName, cronJobPlan, gwctlJobLabels, gwctlPodSpec } from '../schedule/gwctl-job.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
/** Intervals cron keeps evenly: minutes that divide the hour, hours that divide the day. */
const EVEN_MINUTES = [5, 10, 15, 20, 30];
const EVEN_HOURS = [1, 2, 3, 4, 6, 8, 12, 24];

/**
 * The cron schedule for "every N": 5m to 24h, evenly (cron restarts its count every hour or day, so
 * "every 7m" would leave a short gap). The offset comes from the environment's name, so the verifiers
 * of several environments do not all start at :00.
 */
export function verifySchedule(everyMs: number, env: string): string {
  const seed = parseInt(createHash('sha256').update(`verify ${env}`).digest('hex').slice(0, 8), 16);
  const minutes = everyMs / MINUTE_MS;
  if (EVEN_MINUTES.includes(minutes)) return `${seed % minutes}-59/${minutes} * * * *`;
  const hours = everyMs / HOUR_MS;
  if (!EVEN_HOURS.includes(hours))
    throw new UsageError(
      `--every: cron can only run evenly every ${[...EVEN_MINUTES.map((m) => `${m}m`), ...EVEN_HOURS.map((h) => `${h}h`)].join(', ')}; pick one of those`,
    );
  const minute = seed % 60;
  if (hours === 1) return `${minute} * * * *`;
  const firstHour = Math.floor(seed / 60) % hours;
  const at: number[] = [];
  for (let h = firstHour; h < 24; h += hours) at.push(h);
  return `${minute} ${at.join(',')} * * *`;
}

export interface VerifyScheduleOptions {
  env: string;
  /** Where the CronJob runs: a namespace of the verifier's own cluster (issue #8 option C). */
  namespace: string;
  everyMs: number;
  image: string;
  serviceAccount: string;
  /** ConfigMap with gwctl.yaml under the key `gwctl.yaml`. */
  configMap: string;
  /** ConfigMap with the code: `manifests.yaml` (rendered) and `terraform-state.json` (terraform show -json). */
  codeConfigMap: string;
  skipKinds: string[];
}

/** Where the code ConfigMap is mounted (beside, not inside, the read-only /etc/gwctl). */
const CODE_DIR = '/etc/gwctl-code';

/** The CronJob that runs `gwctl verify infra` on a schedule, as a plain manifest. */
export function verifyCronJob(o: VerifyScheduleOptions) {
  const name = cronJobName('verify', o.env);
  const labels = gwctlJobLabels('verify', o.env);
  const args = [
    'verify',
    'infra',
    '--env',
    o.env,
    '--manifests',
    `${CODE_DIR}/manifests.yaml`,
    '--terraform-state',
    `${CODE_DIR}/terraform-state.json`,
    '--json',
    ...o.skipKinds.flatMap((k) => ['--skip-kind', k]),
  ];
  const runFor = Math.min(o.everyMs, HOUR_MS) / 1000;
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob' as const,
    metadata: {
      name,
      namespace: o.namespace,
      labels,
      annotations: { 'gwctl/command': `gwctl ${args.join(' ')}`, 'gwctl/every': formatEvery(o.everyMs) },
    },
    spec: {
      schedule: verifySchedule(o.everyMs, o.env),
      timeZone: 'Etc/UTC',
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: runFor,
      // Failed runs are the ones to read: drift fails the Job (exit 3), so keep more of them.
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 10,
      jobTemplate: {
        metadata: { labels },
        spec: {
          backoffLimit: 2,
          activeDeadlineSeconds: runFor,
          // Drift (3) and bad usage (2) are answers, not hiccups: fail the Job at once, without retries.
          podFailurePolicy: {
            rules: [
              {
                action: 'FailJob',
                onExitCodes: { containerName: 'gwctl', operator: 'In', values: [ExitCode.usage, ExitCode.drift] },
              },
            ],
          },
          template: {
            metadata: { labels },
            spec: gwctlPodSpec({
              image: o.image,
              args,
              serviceAccount: o.serviceAccount,
              configMap: o.configMap,
              extraVolumes: [{ name: 'code', mountPath: CODE_DIR, volume: { configMap: { name: o.codeConfigMap } } }],
            }),
          },
        },
      },
    },
  };
}

export type VerifyCronJob = ReturnType<typeof verifyCronJob>;

export const verifySchedulePlan = (env: string, job: VerifyCronJob, exists: boolean, runIn: string): Plan =>
  cronJobPlan({
    command: 'verify infra schedule',
    env,
    summary: `verify ${env} against its code at "${job.spec.schedule}" (UTC), from ${runIn}'s cluster`,
    job,
    exists,
  });

const formatEvery = (ms: number) => (ms % HOUR_MS === 0 ? `${ms / HOUR_MS}h` : `${ms / MINUTE_MS}m`);
