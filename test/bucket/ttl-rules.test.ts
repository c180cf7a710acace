import { describe, expect, it } from 'vitest';
import type { BucketSettings, LifecycleRule } from '../../src/lib/cloud/buckets.js';
import type { Environment } from '../../src/lib/config/schema.js';
import { resolveBucket } from '../../src/lib/lifecycle/bucket-ref.js';
import { diffRules } from '../../src/lib/lifecycle/diff.js';
import { withTtl } from '../../src/lib/lifecycle/edit-rules.js';
import { explainRule } from '../../src/lib/lifecycle/explain.js';
import { AmbiguousTtlError, findManagedRule, isManagedTtlRule } from '../../src/lib/lifecycle/managed-rule.js';
import { parseTtlDays } from '../../src/lib/lifecycle/ttl-days.js';
import { planTtlChange, type TtlChange } from '../../src/lib/lifecycle/ttl-plan.js';
import { describeTtl } from '../../src/lib/lifecycle/ttl-report.js';
import { changeWarnings, ttlWarnings } from '../../src/lib/lifecycle/warnings.js';

const ttl = (age: number): LifecycleRule => ({ action: { type: 'Delete' }, condition: { age } });
const archive: LifecycleRule = {
  action: { type: 'SetStorageClass', storageClass: 'NEARLINE' },
  condition: { age: 30, matchesStorageClass: ['STANDARD'] },
};
const keepThree: LifecycleRule = { action: { type: 'Delete' }, condition: { numNewerVersions: 3, isLive: false } };
const tmpOnly: LifecycleRule = {
  action: { type: 'Delete' },
  condition: { age: 7, matchesPrefix: ['tmp/', 'scratch/'] },
};
const foreign = [archive, keepThree, tmpOnly];

const settings = (rules: LifecycleRule[], over: Partial<BucketSettings> = {}): BucketSettings => ({
  name: 'gateway-prod-parcels',
  metageneration: '7',
  labels: {},
  versioning: false,
  lifecycleRules: rules,
  defaultEventBasedHold: false,
  ...over,
});

describe('recognising the retention TTL gwctl manages', () => {
  it('is the Delete rule whose only condition is age', () => {
    expect(isManagedTtlRule(ttl(90))).toBe(true);
    for (const rule of [
      ...foreign,
      { action: { type: 'Delete' }, condition: { age: 90, isLive: true } },
      { action: { type: 'SetStorageClass', storageClass: 'COLDLINE' }, condition: { age: 90 } },
    ])
      expect(isManagedTtlRule(rule), JSON.stringify(rule)).toBe(false);
  });

  it('finds none, one, or refuses to pick among several', () => {
    expect(findManagedRule(foreign)).toEqual({ kind: 'none' });
    expect(findManagedRule([archive, ttl(90), tmpOnly])).toEqual({ kind: 'one', index: 1, days: 90 });
    expect(findManagedRule([ttl(30), archive, ttl(90)])).toEqual({
      kind: 'ambiguous',
      indexes: [0, 2],
      days: [30, 90],
    });
  });
});

describe('lifecycle rules in plain words', () => {
  it.each([
    [ttl(90), 'objects are deleted 90 days after creation'],
    [ttl(1), 'objects are deleted 1 day after creation'],
    [keepThree, 'noncurrent versions are deleted once 3 newer versions exist'],
    [
      { action: { type: 'Delete' }, condition: { numNewerVersions: 1 } },
      'objects are deleted once 1 newer version exists',
    ],
    [tmpOnly, 'objects whose names start with "tmp/" or "scratch/" are deleted 7 days after creation'],
    [archive, 'objects in STANDARD storage move to NEARLINE storage 30 days after creation'],
    [
      { action: { type: 'Delete' }, condition: { isLive: false, daysSinceNoncurrentTime: 10 } },
      'noncurrent versions are deleted 10 days after becoming noncurrent',
    ],
    [
      { action: { type: 'Delete' }, condition: { createdBefore: '2024-01-01', matchesSuffix: ['.tmp'] } },
      'objects whose names end with ".tmp" are deleted if created before 2024-01-01',
    ],
    [
      { action: { type: 'AbortIncompleteMultipartUpload' }, condition: { age: 2 } },
      'incomplete multipart uploads are aborted 2 days after creation',
    ],
    [
      { action: { type: 'Delete' }, condition: { futureCondition: 'x' } },
      'objects are deleted when futureCondition is "x"',
    ],
  ] as [LifecycleRule, string][])('%j', (rule, words) => {
    expect(explainRule(rule)).toBe(words);
  });
});

describe('--days validation', () => {
  it('accepts whole numbers from 1 to 180', () => {
    expect(parseTtlDays('1')).toBe(1);
    expect(parseTtlDays('180')).toBe(180);
  });

  it('accepts more than 180 only with --allow-over-spec', () => {
    expect(() => parseTtlDays('181')).toThrow(/over the Relaynet spec's 180-day.*--allow-over-spec/);
    expect(parseTtlDays('181', { allowOverSpec: true })).toBe(181);
  });

  it.each([
    ['0', /env deprovision/],
    ['-1', /1 or more/],
    ['1.5', /whole number/],
    ['abc', /whole number of days, got "abc"/],
    ['', /whole number/],
    ['90d', /whole number/],
    ['1e3', /whole number/],
  ])('refuses %j with one line, exit 2', (raw, message) => {
    let err: unknown;
    try {
      parseTtlDays(raw);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ exitCode: 2, message: expect.stringMatching(message) });
    expect((err as Error).message).not.toContain('\n');
  });
});

describe('changing only the TTL rule', () => {
  it('appends a TTL to a bucket without one, leaving the others byte for byte', () => {
    const edit = withTtl(foreign, 90);
    expect(edit).toMatchObject({ kind: 'add', index: 3, previousDays: null });
    expect(JSON.stringify(edit.rules.slice(0, 3))).toBe(JSON.stringify(foreign));
    expect(edit.rules[3]).toEqual(ttl(90));
  });

  it('changes only the age of the managed rule, wherever it sits', () => {
    const before = [archive, ttl(90), keepThree, tmpOnly];
    const text = before.map((r) => JSON.stringify(r));
    const edit = withTtl(before, 30);
    expect(edit).toMatchObject({ kind: 'change', index: 1, previousDays: 90 });
    expect(edit.rules.map((r) => JSON.stringify(r))).toEqual([text[0], JSON.stringify(ttl(30)), text[2], text[3]]);
    expect(JSON.stringify(before.map((r) => JSON.stringify(r)))).toBe(JSON.stringify(text));
  });

  it('diffs position by position', () => {
    const before = [archive, ttl(90)];
    expect(diffRules(before, withTtl(before, 30).rules).map((d) => d.status)).toEqual(['kept', 'changed']);
    expect(diffRules([archive], withTtl([archive], 30).rules).map((d) => d.status)).toEqual(['kept', 'added']);
  });
});

describe('what stops or delays deletion', () => {
  it('warns about retention policies, holds, soft delete and versioning', () => {
    const w = ttlWarnings({
      settings: settings([], {
        retentionPolicy: { retentionPeriod: 200 * 86_400, isLocked: true },
        softDeletePolicy: { retentionDurationSeconds: 7 * 86_400 },
        defaultEventBasedHold: true,
        versioning: true,
      }),
      days: 90,
      held: 3,
    });
    expect(w.join('\n')).toMatch(/locked retention policy keeps every object for 200 days.*live 200 days, not 90/);
    expect(w.join('\n')).toMatch(/event-based hold by default/);
    expect(w.join('\n')).toMatch(/3 objects are under a temporary or event-based hold/);
    expect(w.join('\n')).toMatch(/soft delete keeps deleted objects for 7 days/);
    expect(w.join('\n')).toMatch(/versioning is on: Delete makes a live object a noncurrent version/);
  });

  it('an unlocked retention policy shorter than the TTL is mentioned, without claiming it extends it', () => {
    const [w] = ttlWarnings({
      settings: settings([], { retentionPolicy: { retentionPeriod: 86_400, isLocked: false } }),
      days: 90,
    });
    expect(w).toMatch(/unlocked retention policy keeps every object for 1 day/);
    expect(w).not.toMatch(/not 90/);
  });

  it('a plain bucket has nothing to warn about', () => {
    expect(ttlWarnings({ settings: settings([]), days: 90, held: 0 })).toEqual([]);
  });

  it('shortening or adding a TTL says existing objects will go; over-spec is flagged', () => {
    expect(changeWarnings(180, 30).join()).toMatch(/shortening from 180 to 30 days/);
    expect(changeWarnings(null, 30).join()).toMatch(/already older than 30 days/);
    expect(changeWarnings(30, 90)).toEqual([]);
    expect(changeWarnings(30, 400).join()).toMatch(/over the Relaynet spec/);
  });
});

describe('the plan for bucket ttl set', () => {
  const ref = { name: 'gateway-prod-parcels', role: 'parcels' as const };

  it('carries the metageneration and the rules before and after', () => {
    const { plan, change } = planTtlChange({
      env: 'prod',
      ref,
      state: { settings: settings([archive, ttl(90)]), held: 0 },
      days: 30,
    });
    expect(plan).toMatchObject({ command: 'bucket ttl set', env: 'prod', destructive: false });
    expect(plan.steps).toHaveLength(1);
    const detail = plan.steps[0]!.detail as TtlChange;
    expect(detail).toEqual(change);
    expect(detail).toMatchObject({
      bucket: 'gateway-prod-parcels',
      ifMetageneration: '7',
      previousDays: 90,
      days: 30,
      before: [archive, ttl(90)],
      after: [archive, ttl(30)],
    });
    expect(plan.warnings.join('\n')).toMatch(/24 hours/);
  });

  it('is destructive on the vault bucket, and says why', () => {
    const { plan } = planTtlChange({
      env: 'prod',
      ref: { name: 'prod-vault', role: 'vault' },
      state: { settings: settings([]) },
      days: 90,
    });
    expect(plan.destructive).toBe(true);
    expect(plan.warnings[0]).toMatch(/Vault bucket: a TTL deletes Vault's own storage/);
    expect(planTtlChange({ env: 'prod', ref, state: { settings: settings([]) }, days: 90 }).plan.destructive).toBe(
      false,
    );
  });

  it('is empty when the TTL already has that value', () => {
    const { plan } = planTtlChange({ env: 'prod', ref, state: { settings: settings([ttl(30)]) }, days: 30 });
    expect(plan.steps).toEqual([]);
  });

  it('refuses to guess between several age-only Delete rules', () => {
    expect(() =>
      planTtlChange({ env: 'prod', ref, state: { settings: settings([ttl(30), ttl(90)]) }, days: 60 }),
    ).toThrow(AmbiguousTtlError);
    expect(() =>
      planTtlChange({ env: 'prod', ref, state: { settings: settings([ttl(30), ttl(90)]) }, days: 60 }),
    ).toThrow(/rule 1: 30 days, rule 2: 90 days/);
  });
});

describe('bucket ttl show', () => {
  it('marks the TTL and explains every rule', () => {
    const report = describeTtl({ settings: settings([archive, ttl(90)]), held: 0 });
    expect(report.ttl).toEqual({ position: 2, days: 90, explanation: 'objects are deleted 90 days after creation' });
    expect(report.rules.map((r) => r.ttl)).toEqual([false, true]);
    expect(report.notes.join()).toMatch(/24 hours/);
  });

  it('shows several candidates instead of failing', () => {
    const report = describeTtl({ settings: settings([ttl(30), ttl(90)]) });
    expect(report.ttl).toBeNull();
    expect(report.ambiguous).toEqual([1, 2]);
    expect(report.notes.join()).toMatch(/--no-holds/);
  });
});

describe('--bucket', () => {
  const env = {
    name: 'prod',
    source: 'gwctl.yaml',
    buckets: { parcels: 'gateway-prod-parcels' },
  } as unknown as Environment;

  it('resolves a role through gwctl.yaml and takes anything else as a bucket name', () => {
    expect(resolveBucket(env, 'parcels')).toEqual({ name: 'gateway-prod-parcels', role: 'parcels' });
    expect(resolveBucket(env, 'gs://some-other-bucket')).toEqual({ name: 'some-other-bucket' });
    expect(resolveBucket(env, 'gateway-prod-parcels')).toEqual({ name: 'gateway-prod-parcels', role: 'parcels' });
  });

  it('names the missing field when a role is not configured', () => {
    expect(() => resolveBucket(env, 'vault')).toThrow(/has no buckets\.vault \(gwctl\.yaml\)/);
    expect(() => resolveBucket(env, 'Not A Bucket')).toThrow(/neither a role/);
  });
});
