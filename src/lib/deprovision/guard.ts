import type { LeaseAdmin } from '../cloud/kube-lease.js';
import type { Environment } from '../config/schema.js';
import { RuntimeError } from '../errors/gwctl-error.js';
import {
  engagedParts,
  protectionStatus,
  readProtection,
  type ProtectionDeps,
  type ProtectionStatus,
} from '../protection/status.js';
import { currentHolder, DeprovisionLeaseHeldError, heldMessage } from './lease.js';

/** Deprovisioning refused because destroy protection is (even partly) on. Exit 1, like any refusal by the environment's state. */
export class ProtectedEnvironmentError extends RuntimeError {
  constructor(message: string) {
    super(message);
    this.name = 'ProtectedEnvironmentError';
  }
}

/** Why deprovisioning must not go ahead — naming each part that is on and how to turn it off — or undefined. */
export function protectionRefusal(status: ProtectionStatus): ProtectedEnvironmentError | undefined {
  const on = engagedParts(status);
  if (on.length === 0) return undefined;
  const which = on.map((p) => `${p.part} (${p.summary})`).join('; ');
  const terraform = on.some((p) => p.part === 'terraform') ? ', then commit the var file and run terraform apply' : '';
  return new ProtectedEnvironmentError(
    `environment ${status.env} is protected against destruction: ${which}; nothing was changed. Turn protection off with: gwctl env unprotect ${status.env}${terraform}`,
  );
}

/**
 * What stops a deprovision before it plans: destroy protection, or another run holding the environment's
 * Lease (checked early so a second operator is told at once; the lease itself is taken before step 1).
 * Thrown for a real run; a dry run gets them back, to show as warnings.
 */
export async function deprovisionRefusals(
  env: Environment,
  deps: ProtectionDeps & { leases: LeaseAdmin },
  dryRun: boolean,
): Promise<{ protection?: ProtectedEnvironmentError; running?: string }> {
  const protection = protectionRefusal(protectionStatus(await readProtection(env, deps)));
  if (protection && !dryRun) throw protection;
  const holder = await currentHolder(deps.leases, env.name, env.kube.namespace);
  const running = holder && heldMessage(env.name, env.kube.namespace, holder);
  if (running && !dryRun) throw new DeprovisionLeaseHeldError(running);
  return { ...(protection ? { protection } : {}), ...(running ? { running } : {}) };
}
