import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { ObjectInfo } from '../../src/lib/cloud/object-store.js';
import { manifestEntry } from '../../src/lib/backup/manifest.js';
import { contentHashes } from '../../src/lib/backup/hashes.js';
import { blobKey } from '../../src/lib/backup/layout.js';
import { MANIFEST_FORMAT, type Manifest } from '../../src/lib/backup/manifest.js';
import { restorePlan } from '../../src/lib/backup/plans.js';
import { isDestructiveRestore } from '../../src/lib/backup/restore.js';
import { planRestore } from '../../src/lib/backup/restore-plan.js';
import type { ExtraObject } from '../../src/lib/backup/restore-spill.js';
import { backupCronJob, cronSchedule } from '../../src/lib/backup/schedule.js';
import { cronJobYaml } from '../../src/lib/schedule/gwctl-job.js';

const HOUR = 3_600_000;

function object(name: string, content: string, extra: Partial<ObjectInfo> = {}): ObjectInfo {
  const h = contentHashes(Buffer.from(content));
  return {
    bucket: 'vault',
    name,
    generation: '5',
    size: Buffer.byteLength(content),
    md5: h.md5,
    crc32c: h.crc32c,
    created: '',
    updated: '',
    contentType: 'text/plain',
    metadata: { k: 'v' },
    ...extra,
  };
}

const backedUp = [object('a', 'A'), object('b', 'B'), object('c', 'C')];
const manifest: Manifest = {
  format: MANIFEST_FORMAT,
  id: '20250601T120000Z-abcdef',
  env: 'prod',
  sourceBucket: 'vault',
  backupBucket: 'backups',
  prefix: 'vault/',
  startedAt: '2025-06-01T12:00:00.000Z',
  completedAt: '2025-06-01T12:01:00.000Z',
  quiesced: true,
  totals: { objects: 3, bytes: 3, blobs: 3 },
  objects: backedUp.map((o) => manifestEntry(o, blobKey(o))),
};

/** A restore planned from the manifest above and the target's objects (in name order), with its spilled decisions. */
async function plannedRestore(
  target: { bucket: string; exists: boolean; objects: ObjectInfo[] },
  opts: { inPlace: boolean; deleteExtra: boolean },
) {
  const pages = async function* () {
    yield target.objects;
  };
  const entries = async function* () {
    yield manifest.objects;
  };
  const p = await planRestore({ manifest, entries: entries() }, { ...target, objects: pages() }, opts);
  const copies: [string, string][] = [];
  for await (const c of p.work.copies()) copies.push([c.entry.name, c.ifGenerationMatch]);
  const deletes: ExtraObject[] = [];
  for await (const d of p.work.deletes()) deletes.push(d);
  await p.work.remove();
  return { p, copies, deletes };
}

describe('restore plan', () => {
  it('into a new bucket creates it and every object, and is not destructive', async () => {
    const { p, copies } = await plannedRestore(
      { bucket: 'vault-restore', exists: false, objects: [] },
      { inPlace: false, deleteExtra: false },
    );
    expect(p).toMatchObject({ createBucket: true, unchanged: 0, keptExtra: 0, bytes: 3 });
    expect(p.create).toEqual({ objects: 3, bytes: 3, sample: ['a', 'b', 'c'] });
    expect(copies).toEqual([
      ['a', '0'],
      ['b', '0'],
      ['c', '0'],
    ]);
    expect(isDestructiveRestore(p)).toBe(false);
    const plan = restorePlan('prod', { id: manifest.id, completedAt: manifest.completedAt } as never, p);
    expect(plan.steps.map((s) => s.action)).toEqual(['create-bucket', 'restore']);
    expect(plan.steps[1]!.detail).toEqual({ objects: 3, bytes: 3, first: ['a', 'b', 'c'], more: 0 });
  });

  it('in place skips what is intact, overwrites what differs (guarded by its generation) and keeps extras', async () => {
    const target = [
      object('a', 'A', { generation: '9' }),
      object('b', 'tampered', { generation: '10' }),
      object('c', 'C', { metadata: { k: 'changed' }, generation: '11' }),
      object('zz', 'new'),
    ];
    const { p, copies } = await plannedRestore(
      { bucket: 'vault', exists: true, objects: target },
      { inPlace: true, deleteExtra: false },
    );
    expect(p.unchanged).toBe(1);
    expect(copies).toEqual([
      ['b', '10'],
      ['c', '11'],
    ]);
    expect(p.overwrite.sample).toEqual([
      { name: 'b', generation: '10' },
      { name: 'c', generation: '11' },
    ]);
    expect(p.keptExtra).toBe(1);
    expect(p.deleteExtra.objects).toBe(0);
    expect(isDestructiveRestore(p)).toBe(true);
    const plan = restorePlan('prod', { id: manifest.id, completedAt: manifest.completedAt } as never, p);
    expect(plan.destructive).toBe(true);
    expect(plan.steps.map((s) => `${s.action} ${s.target}`)).toEqual([
      'overwrite gs://vault/b',
      'overwrite gs://vault/c',
    ]);
    expect(plan.warnings.join('\n')).toMatch(/--delete-extra/);
  });

  it('deletes extras only with --delete-extra', async () => {
    const { p, deletes } = await plannedRestore(
      { bucket: 'vault', exists: true, objects: [object('zz', 'new', { generation: '12' })] },
      { inPlace: true, deleteExtra: true },
    );
    expect(deletes).toEqual([{ name: 'zz', generation: '12' }]);
    expect(p.deleteExtra).toEqual({ objects: 1, bytes: 3, sample: [{ name: 'zz', generation: '12' }] });
  });
});

describe('backup schedule', () => {
  it('accepts 1h to 24h intervals that divide the day', () => {
    expect(cronSchedule(HOUR, 'prod')).toMatch(/^\d{1,2} \* \* \* \*$/);
    const twelve = cronSchedule(12 * HOUR, 'prod');
    expect(twelve).toMatch(/^\d{1,2} \d{1,2},\d{1,2} \* \* \*$/);
    const [, hours] = twelve.split(' ');
    const [h1, h2] = hours!.split(',').map(Number);
    expect(h2! - h1!).toBe(12);
    expect(cronSchedule(24 * HOUR, 'prod')).toMatch(/^\d{1,2} \d{1,2} \* \* \*$/);
  });

  it('refuses intervals outside 1h–24h or uneven ones, as usage errors (exit 2)', () => {
    for (const ms of [30 * 60_000, 25 * HOUR, 48 * HOUR, 5 * HOUR, 1.5 * HOUR])
      expect(() => cronSchedule(ms, 'prod')).toThrow(expect.objectContaining({ exitCode: 2 }));
  });

  it('spreads environments over the hour', () => {
    expect(cronSchedule(12 * HOUR, 'prod')).toBe(cronSchedule(12 * HOUR, 'prod'));
    const minutes = new Set(['prod', 'staging', 'dev', 'eu', 'us'].map((e) => cronSchedule(HOUR, e)));
    expect(minutes.size).toBeGreaterThan(1);
  });

  it('renders a CronJob that runs backup create with --yes, one at a time', () => {
    const job = backupCronJob({
      env: 'prod',
      namespace: 'gateway',
      everyMs: 12 * HOUR,
      image: 'gwctl:1',
      bucket: 'vault',
      quiesce: true,
      serviceAccount: 'gwctl-backup',
      configMap: 'gwctl-config',
    });
    const doc = parse(cronJobYaml(job));
    expect(doc).toMatchObject({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'gwctl-backup-prod', namespace: 'gateway' },
      spec: { concurrencyPolicy: 'Forbid' },
    });
    const pod = doc.spec.jobTemplate.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.containers[0].image).toBe('gwctl:1');
    expect(pod.containers[0].args).toEqual([
      'backup',
      'create',
      '--env',
      'prod',
      '--bucket',
      'vault',
      '--yes',
      '--json',
      '--quiesce',
    ]);
    expect(doc.spec.jobTemplate.spec.activeDeadlineSeconds).toBe(12 * 3600);
  });
});
