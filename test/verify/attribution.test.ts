import { describe, expect, it } from 'vitest';
import type { LegacyRecord } from '../../src/lib/audit/record.js';
import { auditEntriesFor, explainDrift } from '../../src/lib/verify/attribution.js';
import type { Drift } from '../../src/lib/verify/drift.js';

let seq = 0;
const record = (r: Partial<LegacyRecord> & Pick<LegacyRecord, 'command'>): LegacyRecord => ({
  seq: ++seq,
  time: `2024-05-0${seq}T10:00:00.000Z`,
  operator: 'gcp:alice@example.org',
  env: 'prod',
  planDigest: 'sha256:x',
  summary: r.command,
  result: 'applied',
  prev: '0',
  hash: '0',
  ...r,
});

const BUCKET = 'gateway-prod-parcels-1a2b3c';
const rules = (days: number) => [
  { action: { type: 'SetStorageClass', storageClass: 'COLDLINE' }, condition: { age: 30 } },
  { action: { type: 'Delete' }, condition: { age: days } },
];
const lifecycleDrift = (liveRules: unknown): Drift => ({
  kind: 'changed',
  object: `gs://${BUCKET}`,
  field: 'lifecycle.rule',
  code: rules(90),
  live: liveRules,
});
const ttlSet = (days: number, extra: Partial<LegacyRecord> = {}) =>
  record({
    command: 'bucket ttl set',
    targets: [`gs://${BUCKET}`],
    details: { bucket: BUCKET, previousDays: 90, days },
    ...extra,
  });

describe('attributing drift to the audit log', () => {
  it('a lifecycle set by `bucket ttl set` is explained by that entry: who and when', () => {
    const log = [record({ command: 'backup create', targets: ['gs://other'] }), ttlSet(30)];
    expect(explainDrift(lifecycleDrift(rules(30)), log)).toEqual({
      seq: log[1]!.seq,
      time: log[1]!.time,
      operator: 'gcp:alice@example.org',
      command: 'bucket ttl set',
      summary: 'bucket ttl set',
    });
  });

  it('a lifecycle changed again outside gwctl is unexplained, even though gwctl touched it before', () => {
    const log = [ttlSet(30)];
    expect(explainDrift(lifecycleDrift(rules(45)), log)).toBeUndefined();
    // Another rule changed by hand next to gwctl's TTL: not what the entry set either.
    expect(explainDrift(lifecycleDrift([rules(30)[1]]), log)).toBeUndefined();
  });

  it('another field of the same bucket is not explained by a TTL change', () => {
    const drift: Drift = {
      kind: 'changed',
      object: `gs://${BUCKET}`,
      field: 'versioning.enabled',
      code: true,
      live: false,
    };
    expect(explainDrift(drift, [ttlSet(30)])).toBeUndefined();
  });

  it('failed entries and other objects explain nothing; entries written before targets were recorded still count', () => {
    expect(explainDrift(lifecycleDrift(rules(30)), [ttlSet(30, { result: 'failed' })])).toBeUndefined();
    expect(explainDrift(lifecycleDrift(rules(30)), [ttlSet(30, { targets: ['gs://elsewhere'] })])).toBeUndefined();
    const legacy = ttlSet(30, { targets: undefined });
    expect(explainDrift(lifecycleDrift(rules(30)), [legacy])?.seq).toBe(legacy.seq);
  });

  it('the protection label is explained by env protect while it is what protect set', () => {
    const protect = record({ command: 'env protect', targets: [`gs://${BUCKET}`, 'validatingadmissionpolicy/p'] });
    const label = (live: unknown): Drift => ({
      kind: 'changed',
      object: `gs://${BUCKET}`,
      field: 'labels[gwctl-protected]',
      code: undefined,
      live,
    });
    expect(explainDrift(label('true'), [protect])?.command).toBe('env protect');
    expect(explainDrift(label('false'), [protect])).toBeUndefined();
    const unprotect = record({ command: 'env unprotect', targets: [`gs://${BUCKET}`] });
    expect(explainDrift(label(undefined), [protect, unprotect])?.command).toBe('env unprotect');
  });

  it('an object a gwctl command created is explained by it (a CronJob from verify infra schedule)', () => {
    const schedule = record({ command: 'verify infra schedule', targets: ['cronjob/gwctl-verify/gwctl-verify-prod'] });
    const drift: Drift = {
      kind: 'undeclared',
      object: 'cronjob/gwctl-verify/gwctl-verify-prod',
      field: '(object)',
      live: 'created 2024-05-01T10:00:00Z',
    };
    expect(explainDrift(drift, [schedule])?.seq).toBe(schedule.seq);
    expect(auditEntriesFor('cronjob/gwctl-verify/gwctl-verify-prod', [schedule, ttlSet(1)])).toHaveLength(1);
  });
});
