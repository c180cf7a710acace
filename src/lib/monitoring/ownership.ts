import type { MonitoringJson } from '../cloud/monitoring-admin.js';

/**
 * User labels on everything gwctl creates: who made it, for which environment, and which built-in it is. gwctl
 * lists, changes and deletes only resources carrying all three for the environment; anything else is foreign.
 */
export const OWNER_LABEL = 'managed_by';
export const OWNER = 'gwctl';
export const ENV_LABEL = 'gwctl_env';
export const ID_LABEL = 'gwctl_id';
/** On alert policies: a digest of what gwctl last wrote, so an edit made elsewhere shows as drift. */
export const DIGEST_LABEL = 'gwctl_digest';

export const ownerLabels = (env: string, id: string) => ({ [OWNER_LABEL]: OWNER, [ENV_LABEL]: env, [ID_LABEL]: id });

const labelsOf = (r: MonitoringJson) => (r.userLabels ?? {}) as Record<string, string>;

/** The built-in id of a resource gwctl made for `env`, or undefined when it is not gwctl's (foreign). */
export function ownedId(r: MonitoringJson, env: string): string | undefined {
  const l = labelsOf(r);
  return l[OWNER_LABEL] === OWNER && l[ENV_LABEL] === env && l[ID_LABEL] ? l[ID_LABEL] : undefined;
}

export const digestOf = (r: MonitoringJson) => labelsOf(r)[DIGEST_LABEL];
