import type { Environment } from '../config/schema.js';
import { RuntimeError } from '../errors/gwctl-error.js';
import { authOptions } from './google-auth.js';
import { grpcEmulatorOptions } from './grpc-emulator.js';
import { describeApiError } from './monitoring.js';
import { withRetry } from './retry.js';
import { refuseRealCloudForSandbox } from './sandbox-guard.js';

/** Where a trigger is: its project, its region (`global` for a global trigger) and its name or id. */
export interface TriggerRef {
  project: string;
  region: string;
  trigger: string;
}

/** A Cloud Build trigger as gwctl sees it; no SDK type leaks out. */
export interface DeploymentTrigger {
  /** `projects/P/locations/R/triggers/ID`. */
  resourceName: string;
  id: string;
  name: string;
  disabled: boolean;
  tags: string[];
}

/** The trigger calls gwctl makes. */
export interface TriggerAdmin {
  /** The trigger, or undefined when that project and region have none of that name (or id). */
  get(ref: TriggerRef): Promise<DeploymentTrigger | undefined>;
  /** Sets `disabled` and `tags` and nothing else (an update_mask), on a trigger `get` returned. */
  update(t: DeploymentTrigger, change: { disabled: boolean; tags: string[] }): Promise<DeploymentTrigger>;
  close(): Promise<void>;
}

/** The environment's deployment trigger, from `cloudBuild` in gwctl.yaml (project and region default to the environment's). */
export const deploymentTriggerRef = (env: Environment): TriggerRef => ({
  project: env.cloudBuild.project ?? env.project,
  region: env.cloudBuild.region ?? env.region,
  trigger: env.cloudBuild.trigger,
});

export const triggerName = (r: TriggerRef) => `projects/${r.project}/locations/${r.region}/triggers/${r.trigger}`;

// gRPC codes: NOT_FOUND, and those worth another try (DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, UNAVAILABLE).
const NOT_FOUND = 5;
const TRANSIENT = new Set([4, 8, 14]);
/** The library retries reads on UNAVAILABLE for up to 10 minutes by default; an operator wants the reason sooner. */
const CALL_OPTIONS = { timeout: 30_000, maxRetries: 2 };

/** The real API's client options: Application Default Credentials, or those of --impersonate-service-account. */
export async function cloudBuildOptions(env: Environment) {
  return { projectId: env.project, ...(await authOptions(env)) };
}

/**
 * Cloud Build's trigger API through `@google-cloud/cloudbuild` (gRPC), loaded on first use: Application Default
 * Credentials, or the environment's emulator (`emulators.cloudbuild`, host:port) over insecure gRPC without auth.
 * A regional trigger is read by its regional name and updated by its id with `trigger.resource_name` set, which is
 * what the client routes regional calls by.
 */
export async function openTriggerAdmin(env: Environment): Promise<TriggerAdmin> {
  const emulator = env.emulators?.cloudbuild;
  if (!emulator) refuseRealCloudForSandbox(env, 'Cloud Build');
  type Client = InstanceType<(typeof import('@google-cloud/cloudbuild'))['CloudBuildClient']>;
  let client: Promise<Client> | undefined;
  const open = () =>
    (client ??= (async () => {
      const { CloudBuildClient } = await import('@google-cloud/cloudbuild');
      // Initialised here, awaited: left to the first call, a credentials failure escapes as an unhandled rejection.
      if (!emulator) return initialised(new CloudBuildClient(await cloudBuildOptions(env)));
      return initialised(new CloudBuildClient(await grpcEmulatorOptions(emulator, 'cloudbuild', env.project)));
    })());
  const fail = (what: string, project: string) => (err: unknown) => {
    throw triggerError(err, what, project);
  };
  return {
    async get(ref) {
      try {
        const c = await open();
        const [t] = await c.getBuildTrigger({ name: triggerName(ref) }, CALL_OPTIONS);
        return toTrigger(t);
      } catch (err) {
        if (codeOf(err) === NOT_FOUND) return undefined;
        return fail(`reading Cloud Build trigger ${triggerName(ref)}`, ref.project)(err);
      }
    },
    async update(t, change) {
      const project = /^projects\/([^/]+)\//.exec(t.resourceName)?.[1] ?? env.project;
      const what = `${change.disabled ? 'disabling' : 'enabling'} Cloud Build trigger ${t.name}`;
      const c = await open().catch(fail(what, project));
      // The library does not retry updates; setting the same two fields again is harmless, so gwctl does.
      const [updated] = await withRetry(
        () =>
          c.updateBuildTrigger(
            {
              projectId: project,
              triggerId: t.id,
              trigger: { resourceName: t.resourceName, disabled: change.disabled, tags: change.tags },
              updateMask: { paths: ['disabled', 'tags'] },
            },
            CALL_OPTIONS,
          ),
        { attempts: 4, isRetryable: isTransientGrpc },
      ).catch(fail(what, project));
      return toTrigger(updated);
    },
    close: async () => {
      if (client) await (await client.catch(() => undefined))?.close();
    },
  };
}

async function initialised<C extends { initialize(): Promise<unknown> }>(client: C): Promise<C> {
  await client.initialize();
  return client;
}

interface SdkTrigger {
  resourceName?: string | null;
  id?: string | null;
  name?: string | null;
  disabled?: boolean | null;
  tags?: string[] | null;
}

const toTrigger = (t: SdkTrigger): DeploymentTrigger => ({
  resourceName: t.resourceName ?? '',
  id: t.id ?? '',
  name: t.name ?? '',
  disabled: Boolean(t.disabled),
  tags: [...(t.tags ?? [])],
});

const codeOf = (err: unknown) => (err as { code?: unknown })?.code;
const isTransientGrpc = (err: unknown) => TRANSIENT.has(codeOf(err) as number);

function triggerError(err: unknown, what: string, project: string): RuntimeError {
  const needs = `cloudbuild.builds.get and cloudbuild.builds.update on project ${project} (roles/cloudbuild.builds.editor)`;
  return new RuntimeError(`${what}: ${describeApiError(err, needs)}`, { cause: err });
}
