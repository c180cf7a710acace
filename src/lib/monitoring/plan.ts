import type { ConfigKind, MonitoringJson } from '../cloud/monitoring-admin.js';
import type { Environment } from '../config/schema.js';
import { makePlan, type Plan, type PlanStep } from '../plan/plan.js';
import { resolveChannels } from './channels.js';
import { changedFields, contentDigest } from './diff.js';
import { digestOf, DIGEST_LABEL, ownedId } from './ownership.js';
import { buildPolicySet, checkIdPlaceholder, type PolicySet } from './policy-set.js';
import { alertingSettings } from './settings.js';

/** What Cloud Monitoring holds for the environment, read once per plan. */
export interface LiveMonitoring {
  policies: MonitoringJson[];
  checks: MonitoringJson[];
  channels: MonitoringJson[];
}

/**
 * How a built-in stands: `in-sync`; `missing` (not created yet); `drifted` (edited outside gwctl since it was
 * applied); `outdated` (gwctl.yaml asks for something else); `orphan` (gwctl made it, gwctl.yaml no longer wants
 * it); `duplicate` (a second copy of the same built-in).
 */
export type ItemState = 'in-sync' | 'missing' | 'drifted' | 'outdated' | 'orphan' | 'duplicate';

export interface PlanItem {
  kind: 'uptime check' | 'alert policy';
  id: string;
  displayName: string;
  state: ItemState;
  /** The resource name, when it exists. */
  name?: string;
  /** Fields that differ (snake_case). */
  fields: string[];
}

export interface MonitoringPlan {
  plan: Plan;
  items: PlanItem[];
  skipped: PolicySet['skipped'];
  /** Policies and checks in the project that gwctl did not make for this environment: never touched. */
  foreign: { policies: number; checks: number };
  /** Channels gwctl.yaml names that the project lacks (read-only plans only; apply refuses them). */
  unresolvedChannels: string[];
}

export interface StepDetail {
  id: string;
  /** The resource to update or delete. */
  name?: string;
  body?: MonitoringJson;
  updateMask?: string[];
  /** On policies: the uptime check whose id the filter needs (resolved at apply when created in the same run). */
  check?: string;
}

/**
 * Compares what gwctl.yaml asks for with what the project has, and plans the calls that make them equal: checks
 * first (policies need their ids), then policies, then deletions of what gwctl made and no longer wants.
 * `canonical` gives the API's own form of a resource, so both sides compare alike.
 */
export function planMonitoring(
  env: Environment,
  live: LiveMonitoring,
  canonical: (kind: ConfigKind, value: MonitoringJson) => MonitoringJson,
  /** `readOnly`: a missing channel is a warning, not an error (status still reports everything else). */
  opts: { readOnly?: boolean } = {},
): MonitoringPlan {
  const settings = alertingSettings(env);
  const channels = resolveChannels(settings.notificationChannels, live.channels, env.project, {
    strict: !opts.readOnly,
  });
  const set = buildPolicySet(env, settings, channels.names);
  const items: PlanItem[] = [];
  const checkSteps: PlanStep[] = [];
  const policySteps: PlanStep[] = [];
  const deleteSteps: PlanStep[] = [];
  const ownedChecks = owned(live.checks, env.name);
  const ownedPolicies = owned(live.policies, env.name);
  /** Ids of the checks that exist and are kept: their policies can name them now. */
  const keptCheckIds = new Map<string, string>();

  for (const c of set.checks) {
    const body = canonical('UptimeCheckConfig', c.body);
    const existing = ownedChecks.get(c.id)?.shift();
    const displayName = String(body.displayName);
    if (!existing) {
      items.push({ kind: 'uptime check', id: c.id, displayName, state: 'missing', fields: [] });
      checkSteps.push(step('create-check', c.id, `uptime check ${displayName}`, 'create', { id: c.id, body }));
      continue;
    }
    const name = String(existing.name);
    const fields = changedFields('UptimeCheckConfig', body, existing);
    items.push({
      kind: 'uptime check',
      id: c.id,
      displayName,
      name,
      state: fields.length ? 'outdated' : 'in-sync',
      fields,
    });
    if (fields.length === 0) keptCheckIds.set(c.id, lastSegment(name));
    else if (fields.every((f) => UPDATABLE_CHECK_FIELDS.includes(f))) {
      keptCheckIds.set(c.id, lastSegment(name));
      checkSteps.push(
        step('update-check', c.id, name, `set ${fields.join(', ')}`, {
          id: c.id,
          name,
          body: { ...body, name },
          updateMask: fields,
        }),
      );
    } else {
      // The API updates only some fields of a check; for the others it is made anew and the old one deleted.
      checkSteps.push(
        step(
          'create-check',
          c.id,
          `uptime check ${displayName}`,
          `replaces ${name} (${fields.join(', ')} cannot be updated)`,
          { id: c.id, body },
        ),
      );
      deleteSteps.push(step('delete-check', c.id, name, 'replaced', { id: c.id, name }));
    }
  }

  for (const p of set.policies) {
    const resolvedId = p.check ? keptCheckIds.get(p.check) : undefined;
    const withCheck = p.check && resolvedId ? substitute(p.body, checkIdPlaceholder(p.check), resolvedId) : p.body;
    const body = canonical('AlertPolicy', withCheck);
    const displayName = String(body.displayName);
    const existing = ownedPolicies.get(p.id)?.shift();
    const detail = { id: p.id, ...(p.check ? { check: p.check } : {}) };
    if (!existing) {
      items.push({ kind: 'alert policy', id: p.id, displayName, state: 'missing', fields: [] });
      policySteps.push(step('create-policy', p.id, `alert policy ${displayName}`, 'create', { ...detail, body }));
      continue;
    }
    const name = String(existing.name);
    const fields = changedFields('AlertPolicy', body, existing);
    // The digest gwctl wrote says whether the policy is still what gwctl made: if not, someone edited it.
    const edited = digestOf(existing) !== contentDigest('AlertPolicy', existing);
    const state: ItemState = fields.length === 0 ? 'in-sync' : edited ? 'drifted' : 'outdated';
    items.push({ kind: 'alert policy', id: p.id, displayName, name, state, fields });
    if (fields.length || !digestOf(existing))
      policySteps.push(
        step(
          'update-policy',
          p.id,
          name,
          state === 'drifted'
            ? `restore ${fields.join(', ')} (edited outside gwctl)`
            : `set ${fields.join(', ') || 'the gwctl digest'}`,
          {
            ...detail,
            name,
            body: { ...keepConditionNames(body, existing), name },
            updateMask: [...new Set([...fields, 'user_labels'])].sort(),
          },
        ),
      );
  }

  const orphans = (kind: 'alert policy' | 'uptime check', rest: Map<string, MonitoringJson[]>, wanted: Set<string>) => {
    for (const [id, list] of rest)
      for (const r of list) {
        const name = String(r.name);
        const state: ItemState = wanted.has(id) ? 'duplicate' : 'orphan';
        items.push({ kind, id, displayName: String(r.displayName), name, state, fields: [] });
        deleteSteps.push(
          step(
            kind === 'alert policy' ? 'delete-policy' : 'delete-check',
            id,
            name,
            state === 'orphan' ? 'gwctl made it; gwctl.yaml no longer asks for it' : 'a second copy',
            { id, name },
          ),
        );
      }
  };
  orphans('alert policy', ownedPolicies, new Set(set.policies.map((p) => p.id)));
  orphans('uptime check', ownedChecks, new Set(set.checks.map((c) => c.id)));
  // Policies go before the checks they name.
  deleteSteps.sort((a, b) => Number(a.action === 'delete-check') - Number(b.action === 'delete-check'));

  const steps = [...checkSteps, ...policySteps, ...deleteSteps];
  const counts = ['create', 'update', 'delete'].map(
    (verb) => `${steps.filter((s) => s.action.startsWith(verb)).length} to ${verb}`,
  );
  const plan = makePlan({
    command: 'monitoring apply',
    env: env.name,
    summary: `alerting of ${env.name} in project ${env.project} as gwctl.yaml says: ${counts.join(', ')}`,
    destructive: false,
    steps,
    warnings: [
      ...channels.warnings,
      ...items
        .filter((i) => i.state === 'drifted')
        .map(
          (i) => `${i.kind} "${i.displayName}" was edited outside gwctl (${i.fields.join(', ')}): apply puts it back`,
        ),
    ],
  });
  return {
    plan,
    items,
    skipped: set.skipped,
    unresolvedChannels: channels.unresolved,
    foreign: {
      policies: live.policies.filter((p) => !ownedId(p, env.name)).length,
      checks: live.checks.filter((c) => !ownedId(c, env.name)).length,
    },
  };
}

/** "The following fields can be updated: display_name, http_check, tcp_check, timeout, content_matchers, and
 * selected_regions" (UpdateUptimeCheckConfigRequest). */
const UPDATABLE_CHECK_FIELDS = [
  'display_name',
  'http_check',
  'tcp_check',
  'timeout',
  'content_matchers',
  'selected_regions',
];

const lastSegment = (name: string) => name.split('/').pop()!;

function step(action: string, id: string, target: string, description: string, detail: StepDetail): PlanStep {
  return {
    id: `${action}/${id}${detail.name ? `/${lastSegment(detail.name)}` : ''}`,
    action,
    target,
    description,
    detail,
  };
}

/** gwctl's resources for the environment, by built-in id, oldest first. */
function owned(resources: MonitoringJson[], env: string): Map<string, MonitoringJson[]> {
  const byId = new Map<string, MonitoringJson[]>();
  for (const r of resources) {
    const id = ownedId(r, env);
    if (id) byId.set(id, [...(byId.get(id) ?? []), r]);
  }
  return byId;
}

/** Sends back the names of conditions that stay, so their ids (and incident history) are kept. */
function keepConditionNames(body: MonitoringJson, live: MonitoringJson): MonitoringJson {
  const liveConditions = (live.conditions ?? []) as MonitoringJson[];
  const conditions = ((body.conditions ?? []) as MonitoringJson[]).map((c, i) => {
    const same = liveConditions.find((l) => l.displayName === c.displayName) ?? liveConditions[i];
    return same?.name ? { ...c, name: same.name } : c;
  });
  return { ...body, conditions };
}

/** Replaces a placeholder in every string of a resource. */
export function substitute(body: MonitoringJson, placeholder: string, value: string): MonitoringJson {
  return JSON.parse(JSON.stringify(body).split(placeholder).join(value)) as MonitoringJson;
}

/** The body gwctl writes: with the digest of its own content, so later edits elsewhere show. */
export function withDigest(body: MonitoringJson): MonitoringJson {
  return {
    ...body,
    userLabels: { ...(body.userLabels as object), [DIGEST_LABEL]: contentDigest('AlertPolicy', body) },
  };
}
