import { ApiError, invalidField } from './api-error.js';
import { checkUserLabels, ConfigStore, mutationRecord, numericId, projectOf } from './config-store.js';
import { applyFieldMask, type Json } from './field-mask.js';
import { listPage, type ListRequest } from './list-query.js';
import type { CallContext } from './recorded-calls.js';

/**
 * Channel types and their required labels, as `ListNotificationChannelDescriptors` describes them
 * (https://cloud.google.com/monitoring/support/notification-options).
 */
export const CHANNEL_TYPES: Record<string, { displayName: string; labels: string[] }> = {
  email: { displayName: 'Email', labels: ['email_address'] },
  sms: { displayName: 'SMS', labels: ['number'] },
  slack: { displayName: 'Slack', labels: ['channel_name'] },
  pagerduty: { displayName: 'PagerDuty Services', labels: ['service_key'] },
  webhook_tokenauth: { displayName: 'Webhooks', labels: ['url'] },
  pubsub: { displayName: 'Pub/Sub', labels: ['topic'] },
};

export type NotificationChannel = Json & {
  name?: string;
  type?: string;
  displayName?: string;
  labels?: Record<string, string>;
  userLabels?: Record<string, string>;
  enabled?: { value?: boolean };
};

const TYPE = 'google.monitoring.v3.NotificationChannel';

/** NotificationChannelService (notification_service.proto): list, get, create, update with a mask, delete. */
export function notificationChannelService(
  store: ConfigStore<NotificationChannel>,
  policies: { isReferenced(name: string): boolean; detach(name: string): void },
) {
  const check = (c: NotificationChannel, field: string) => {
    const descriptor = CHANNEL_TYPES[c.type ?? ''];
    if (!descriptor)
      throw invalidField(
        `${field}.type`,
        c.type ?? '',
        `unknown channel type; one of ${Object.keys(CHANNEL_TYPES).join(', ')}`,
      );
    for (const label of descriptor.labels)
      if (!c.labels?.[label])
        throw invalidField(`${field}.labels`, c.labels ?? {}, `a ${c.type} channel needs the label "${label}"`);
    checkUserLabels(c.userLabels, `${field}.user_labels`);
  };
  return {
    ListNotificationChannelDescriptors(req: { name?: string; pageSize?: number; pageToken?: string }) {
      const project = projectOf(req.name, 'name');
      const all = Object.entries(CHANNEL_TYPES).map(([type, d]) => ({
        name: `projects/${project}/notificationChannelDescriptors/${type}`,
        type,
        displayName: d.displayName,
        labels: d.labels.map((key) => ({ key })),
      }));
      const { page, nextPageToken } = listPage(all, req, { filterField: 'filter' });
      return { channelDescriptors: page, nextPageToken };
    },
    GetNotificationChannelDescriptor(req: { name?: string }) {
      const m = /^projects\/[^/]+\/notificationChannelDescriptors\/([^/]+)$/.exec(req.name ?? '');
      const d = m && CHANNEL_TYPES[m[1]!];
      if (!d) throw new ApiError('NOT_FOUND', `Requested entity was not found: ${req.name ?? ''}`);
      return { name: req.name, type: m![1], displayName: d.displayName, labels: d.labels.map((key) => ({ key })) };
    },
    ListNotificationChannels(req: ListRequest & { name?: string }) {
      const { page, nextPageToken, totalSize } = listPage(store.list(projectOf(req.name, 'name')), req, {
        filterField: 'filter',
      });
      return { notificationChannels: page, nextPageToken, totalSize };
    },
    GetNotificationChannel(req: { name?: string }) {
      store.parse(req.name, 'name');
      return store.get(req.name!);
    },
    CreateNotificationChannel(req: { name?: string; notificationChannel?: NotificationChannel }, ctx: CallContext) {
      const project = projectOf(req.name, 'name');
      if (!req.notificationChannel) throw new ApiError('INVALID_ARGUMENT', 'Field notification_channel is required');
      const { name: _ignored, ...channel } = req.notificationChannel;
      check(channel, 'notification_channel');
      const record = mutationRecord(ctx.metadata);
      return store.insert({
        ...channel,
        name: store.nameFor(project, numericId()),
        enabled: channel.enabled ?? { value: true },
        creationRecord: record,
        mutationRecords: [record],
      });
    },
    UpdateNotificationChannel(
      req: { updateMask?: { paths?: string[] }; notificationChannel?: NotificationChannel },
      ctx: CallContext,
    ) {
      const patch = req.notificationChannel;
      if (!patch) throw new ApiError('INVALID_ARGUMENT', 'Field notification_channel is required');
      store.parse(patch.name, 'notification_channel.name');
      const current = store.get(patch.name!);
      const paths = req.updateMask?.paths ?? [];
      const { creationRecord, mutationRecords } = current as Json;
      const next = (
        paths.length ? applyFieldMask(current, patch, paths, TYPE, { field: 'update_mask' }) : { ...patch }
      ) as NotificationChannel;
      if (next.type !== current.type)
        throw invalidField('notification_channel.type', next.type, 'the type of a channel cannot change');
      check(next, 'notification_channel');
      return store.replace({
        ...next,
        name: current.name,
        creationRecord,
        mutationRecords: [...((mutationRecords as Json[]) ?? []), mutationRecord(ctx.metadata)],
      });
    },
    DeleteNotificationChannel(req: { name?: string; force?: boolean }) {
      store.parse(req.name, 'name');
      store.get(req.name!);
      // DeleteNotificationChannelRequest.force: "If true, the notification channel will be deleted regardless of its
      // use in alert policies (the policies will be updated to remove the channel). If false, this operation will
      // fail if the notification channel is referenced by existing alerting policies."
      if (!req.force && policies.isReferenced(req.name!))
        throw new ApiError(
          'FAILED_PRECONDITION',
          `Notification channel ${req.name} is referenced by an alerting policy; pass force to delete it anyway`,
        );
      store.delete(req.name!);
      policies.detach(req.name!);
      return {};
    },
  };
}
