import { ApiError, invalidField } from './api-error.js';
import { checkAbsence, checkThreshold } from './condition-validation.js';
import { checkUserLabels, ConfigStore, mutationRecord, numericId, projectOf } from './config-store.js';
import { applyFieldMask, type Json } from './field-mask.js';
import { listPage, type ListRequest } from './list-query.js';
import type { CallContext } from './recorded-calls.js';

export type AlertPolicy = Json & {
  name?: string;
  displayName?: string;
  conditions?: Array<Json & { name?: string; displayName?: string }>;
  notificationChannels?: string[];
  userLabels?: Record<string, string>;
  documentation?: { content?: string; links?: unknown[] };
  enabled?: { value?: boolean };
};

const TYPE = 'google.monitoring.v3.AlertPolicy';
const CONDITION_KINDS = [
  'conditionThreshold',
  'conditionAbsent',
  'conditionMatchedLog',
  'conditionMonitoringQueryLanguage',
  'conditionPrometheusQueryLanguage',
  'conditionSql',
];
/** Read-only fields: "If provided in a call to create or update, this field will be ignored" (alert.proto). */
const OUTPUT_ONLY = ['creationRecord', 'mutationRecord', 'validity'];

/**
 * AlertPolicyService (alert_service.proto): list (filter, order_by, paging), get, create, update (whole policy,
 * or the fields of update_mask), delete. Policies are validated as the API documents; condition filters with the
 * real filter grammar against real metric types (condition-validation.ts).
 */
export function alertPolicyService(store: ConfigStore<AlertPolicy>, channelExists: (name: string) => boolean) {
  const check = (p: AlertPolicy, project: string) => {
    const conditions = p.conditions ?? [];
    // "A policy can have from one to six conditions" (AlertPolicy.conditions).
    if (conditions.length < 1 || conditions.length > 6)
      throw invalidField('alert_policy.conditions', conditions.length, 'a policy has from one to six conditions');
    conditions.forEach((c, i) => {
      const field = `alert_policy.conditions[${i}]`;
      const kinds = CONDITION_KINDS.filter((k) => c[k] !== undefined);
      if (kinds.length !== 1) throw invalidField(field, Object.keys(c), 'a condition has exactly one condition type');
      if (c.conditionThreshold) checkThreshold(c.conditionThreshold as never, `${field}.condition_threshold`);
      if (c.conditionAbsent) checkAbsence(c.conditionAbsent as never, `${field}.condition_absent`);
    });
    if (conditions.length > 1 && (p.combiner ?? 'COMBINE_UNSPECIFIED') === 'COMBINE_UNSPECIFIED')
      throw invalidField(
        'alert_policy.combiner',
        'COMBINE_UNSPECIFIED',
        'a policy with several conditions needs a combiner',
      );
    if ([...(p.displayName ?? '')].length > 512)
      throw invalidField('alert_policy.display_name', p.displayName, 'at most 512 characters');
    if ([...(p.documentation?.content ?? '')].length > 8192)
      throw invalidField('alert_policy.documentation.content', '…', 'at most 8,192 characters');
    if ((p.documentation?.links?.length ?? 0) > 3)
      throw invalidField('alert_policy.documentation.links', p.documentation?.links?.length, 'at most 3 links');
    checkUserLabels(p.userLabels, 'alert_policy.user_labels');
    for (const channel of p.notificationChannels ?? []) {
      if (!channel.startsWith(`projects/${project}/notificationChannels/`) || !channelExists(channel))
        throw invalidField(
          'alert_policy.notification_channels',
          channel,
          'no such notification channel in the project',
        );
    }
  };
  /** Conditions get server-assigned names; a condition sent with a name keeps it (UpdateAlertPolicyRequest). */
  const nameConditions = (p: AlertPolicy, policyName: string, previous?: AlertPolicy): AlertPolicy => {
    const known = new Set((previous?.conditions ?? []).map((c) => c.name));
    return {
      ...p,
      conditions: (p.conditions ?? []).map((c) => {
        if (c.name && !known.has(c.name))
          throw invalidField('alert_policy.conditions.name', c.name, 'no such condition in this policy');
        return { ...c, name: c.name ?? `${policyName}/conditions/${numericId()}` };
      }),
    };
  };
  const withoutOutputOnly = (p: AlertPolicy) =>
    Object.fromEntries(Object.entries(p).filter(([k]) => !OUTPUT_ONLY.includes(k))) as AlertPolicy;

  return {
    ListAlertPolicies(req: ListRequest & { name?: string }) {
      const { page, nextPageToken, totalSize } = listPage(store.list(projectOf(req.name, 'name')), req, {
        filterField: 'filter',
      });
      return { alertPolicies: page, nextPageToken, totalSize };
    },
    GetAlertPolicy(req: { name?: string }) {
      store.parse(req.name, 'name');
      return store.get(req.name!);
    },
    CreateAlertPolicy(req: { name?: string; alertPolicy?: AlertPolicy }, ctx: CallContext) {
      const project = projectOf(req.name, 'name');
      if (!req.alertPolicy) throw new ApiError('INVALID_ARGUMENT', 'Field alert_policy is required');
      // "do not include the name field in the alerting policy passed as part of the request" (AlertPolicy.name).
      if (req.alertPolicy.name)
        throw invalidField('alert_policy.name', req.alertPolicy.name, 'must be empty on create');
      if (req.alertPolicy.conditions?.some((c) => c.name))
        throw invalidField('alert_policy.conditions.name', '…', 'do not include condition names on create');
      const policy = withoutOutputOnly(req.alertPolicy);
      check(policy, project);
      const name = store.nameFor(project, numericId());
      const record = mutationRecord(ctx.metadata);
      return store.insert({
        ...nameConditions(policy, name),
        name,
        // "On write, the default interpretation if unset is that the policy is enabled" (AlertPolicy.enabled).
        enabled: policy.enabled ?? { value: true },
        creationRecord: record,
        mutationRecord: record,
      });
    },
    UpdateAlertPolicy(req: { updateMask?: { paths?: string[] }; alertPolicy?: AlertPolicy }, ctx: CallContext) {
      const patch = req.alertPolicy;
      if (!patch) throw new ApiError('INVALID_ARGUMENT', 'Field alert_policy is required');
      const { project } = store.parse(patch.name, 'alert_policy.name');
      const current = store.get(patch.name!);
      const paths = req.updateMask?.paths ?? [];
      // Without a mask "the supplied alerting policy replaces the existing policy" (UpdateAlertPolicyRequest).
      const next = withoutOutputOnly(
        (paths.length ? applyFieldMask(current, patch, paths, TYPE, { field: 'update_mask' }) : patch) as AlertPolicy,
      );
      check(next, project);
      return store.replace({
        ...nameConditions(next, current.name!, current),
        name: current.name,
        enabled: next.enabled ?? { value: true },
        creationRecord: current.creationRecord,
        mutationRecord: mutationRecord(ctx.metadata),
      });
    },
    DeleteAlertPolicy(req: { name?: string }) {
      store.parse(req.name, 'name');
      store.delete(req.name!);
      return {};
    },
  };
}
