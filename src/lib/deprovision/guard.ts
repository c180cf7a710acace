import { RuntimeError } from '../errors/gwctl-error.js';
import { engagedParts, type ProtectionStatus } from '../protection/status.js';

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
