import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { ObjectInfo } from '../../src/lib/cloud/object-store.js';
import { manifestEntry } from '../../src/lib/backup/manifest.js';
import { contentHashes } from '../../src/lib/backup/hashes.js';
import { blobKey } from '../../src/lib/backup/layout.js';
import { MANIFEST_FORMAT, type Manifest } from '../../src/lib/backup/manifest.js';
import { restorePlan } from '../../src/lib/backup/plans.js';
import { isDestructiveRestore, planRestore } from '../../src/lib/backup/restore.js';
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

describe('restore plan', () => {
  it('into a new bucket creates it and every object, and is not destructive', () => {
    const p = planRestore(
      manifest,
      { bucket: 'vault-restore', exists: false, objects: [] },
      { inPlace: false, deleteExtra: false },
    );
    expect(p).toMatchObject({ createBucket: true, unchanged: 0, keptExtra: 0, bytes: 3 });
    expect(p.create.map((c) => [c.entry.name, c.ifGenerationMatch])).toEqual([
      ['a', '0'],
      ['b', '0'],
      ['c', '0'],
    ]);
    expect(isDestructiveRestore(p)).toBe(false);
    const plan = restorePlan('prod', { id: manifest.id, completedAt: manifest.completedAt } as never, true, p);
    expect(plan.steps.map((s) => s.action)).toEqual(['create-bucket', 'restore']);
  });

  it('in place skips what is intact, overwrites what differs (guarded by its generation) and keeps extras', () => {
    const target = [
      object('a', 'A', { generation: '9' }),
      object('b', 'tampered', { generation: '10' }),
      object('c', 'C', { metadata: { k: 'changed' }, generation: '11' }),
      object('zz', 'new'),
    ];
    const p = planRestore(
      manifest,
      { bucket: 'vault', exists: true, objects: target },
      { inPlace: true, deleteExtra: false },
    );
    expect(p.unchanged).toBe(1);
    expect(p.overwrite.map((c) => [c.entry.name, c.ifGenerationMatch])).toEqual([
      ['b', '10'],
      ['c', '11'],
    ]);
    expect(p.keptExtra).toBe(1);
    expect(p.deleteExtra).toEqual([]);
    expect(isDestructiveRestore(p)).toBe(true);
    const plan = restorePlan('prod', { id: manifest.id, completedAt: manifest.completedAt } as never, true, p);
    expect(plan.destructive).toBe(true);
    expect(plan.warnings.join('\n')).toMatch(/--delete-extra/);
  });

  it('deletes extras only with --delete-extra', () => {
    const p = planRestore(
      manifest,
      { bucket: 'vault', exists: true, objects: [object('zz', 'new', { generation: '12' })] },
      { inPlace: true, deleteExtra: true },
    );
    expect(p.deleteExtra).toEqual([{ name: 'zz', generation: '12' }]);
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
