import type { MonitoringJson } from '../cloud/monitoring-admin.js';
import { UsageError } from '../errors/gwctl-error.js';

export interface ResolvedChannels {
  names: string[];
  warnings: string[];
  /** References that match no channel, or several (only when not strict). */
  unresolved: string[];
}

/**
 * The notification channels gwctl.yaml names (display name, id, or full name), found in the project. gwctl never
 * creates a channel: one that is missing or ambiguous stops the plan before anything is changed.
 */
export function resolveChannels(
  refs: string[],
  live: MonitoringJson[],
  project: string,
  opts: { strict: boolean } = { strict: true },
): ResolvedChannels {
  const names: string[] = [];
  const warnings: string[] = [];
  const problems: string[] = [];
  for (const ref of refs) {
    const matches = live.filter((c) => {
      const name = String(c.name);
      return name === ref || name.split('/').pop() === ref || c.displayName === ref;
    });
    if (matches.length === 0) problems.push(`"${ref}" does not exist`);
    else if (matches.length > 1)
      problems.push(
        `"${ref}" names ${matches.length} channels (${matches.map((m) => String(m.name).split('/').pop()).join(', ')}): use the id`,
      );
    else {
      const c = matches[0]!;
      names.push(String(c.name));
      if ((c.enabled as { value?: boolean } | undefined)?.value === false)
        warnings.push(`notification channel "${ref}" is disabled: it will not be notified`);
    }
  }
  if (problems.length && !opts.strict)
    warnings.push(...problems.map((p) => `notification channel ${p} in project ${project}`));
  else if (problems.length)
    throw new UsageError(
      `monitoring.alerting.notificationChannels in gwctl.yaml: ${problems.join('; ')} in project ${project}. gwctl does not create channels: add it in the console (Monitoring → Alerting → Edit notification channels) or with \`gcloud beta monitoring channels create\`, then re-run; nothing was changed`,
    );
  if (refs.length === 0)
    warnings.push(
      'no notification channels in monitoring.alerting.notificationChannels: alerts will open incidents but notify no one',
    );
  return { names: [...new Set(names)].sort(), warnings, unresolved: problems };
}
