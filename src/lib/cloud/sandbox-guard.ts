import { SANDBOX_ENV, SANDBOX_NOT_RUNNING } from '../config/environment-names.js';
import type { Environment } from '../config/schema.js';
import { UsageError } from '../errors/gwctl-error.js';

/**
 * Called where a client would fall back to Application Default Credentials (real Google APIs) or the
 * operator's kubeconfig: the built-in sandbox never goes there. resolveEnvironment already refuses a stopped
 * sandbox; this is the last check, for a sandbox environment that lacks an emulator endpoint however it was made.
 */
export function refuseRealCloudForSandbox(env: Environment, service: string): void {
  if (env.name === SANDBOX_ENV)
    throw new UsageError(`${SANDBOX_NOT_RUNNING} (no ${service} emulator endpoint; sandbox calls never go to Google)`);
}
