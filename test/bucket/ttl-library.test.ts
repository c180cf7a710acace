import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { BucketMetadata, Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileAuditSink } from '../../src/lib/audit/file-sink.js';
import { GcsBucketAdmin, type LifecycleRule } from '../../src/lib/cloud/buckets.js';
import { ConcurrentChangeError } from '../../src/lib/cloud/gcs-errors.js';
import { DAY_MS, startGcsEmulator, type GcsEmulator } from '@gwctl/emulators/gcs';
import { readTtlState } from '../../src/lib/lifecycle/bucket-state.js';
import { applyTtlChange, planTtlChange } from '../../src/lib/lifecycle/ttl-plan.js';
import { describeTtl } from '../../src/lib/lifecycle/ttl-report.js';
import { runMutation } from '../../src/lib/plan/mutation.js';
import type { Plan } from '../../src/lib/plan/plan.js';
import { Ui } from '../../src/lib/ui/ui.js';
import { auditRecords, outcomesIn } from '../helpers/audit.js';
import { tempDir } from '../helpers/cli.js';
import { gcsClient } from '@gwctl/emulators/testing';
import { forbidden, startInterceptor } from './gcs-interceptor.js';

const ttl = (age: number): LifecycleRule => ({ action: { type: 'Delete' }, condition: { age } });
const foreignRules: LifecycleRule[] = [
  {
    action: { type: 'SetStorageClass', storageClass: 'NEARLINE' },
    condition: { age: 30, matchesStorageClass: ['STANDARD'] },
  },
  { action: { type: 'Delete' }, condition: { numNewerVersions: 3, isLive: false } },
  { action: { type: 'Delete' }, condition: { age: 7, matchesPrefix: ['tmp/'] } },
];

/** The SDK types rules more narrowly than GCS returns them; the emulator takes them as sent. */
const lifecycleOf = (rules: LifecycleRule[]) => ({ lifecycle: { rule: rules } }) as BucketMetadata;

let emu: GcsEmulator;
let storage: Storage;
let admin: GcsBucketAdmin;
let seq = 0;

beforeAll(async () => {
  emu = await startGcsEmulator();
  storage = gcsClient(emu.url);
  admin = new GcsBucketAdmin(storage);
});
afterAll(() => emu.close());

async function bucketWith(rules: LifecycleRule[], extra: Record<string, unknown> = {}): Promise<string> {
  const name = `ttl-lib-${++seq}`;
  await storage.createBucket(name, extra);
  if (rules.length) await storage.bucket(name).setMetadata(lifecycleOf(rules));
  return name;
}

/** The rules exactly as GCS returns them, one JSON text per rule. */
async function rulesText(bucket: string): Promise<string[]> {
  const [meta] = await storage.bucket(bucket).getMetadata();
  return ((meta.lifecycle?.rule ?? []) as unknown[]).map((r) => JSON.stringify(r));
}

/** `bucket ttl set` without the CLI: read → plan → runMutation → apply, as the command wires it. */
async function setTtl(
  bucket: string,
  days: number,
  opts: { dryRun?: boolean; beforeApply?: () => Promise<void> } = {},
) {
  const state = await readTtlState(admin, bucket, { scanHolds: true });
  const planned = planTtlChange({ env: 'emu', ref: { name: bucket }, state, days });
  const audit = new FileAuditSink(join(tempDir(), 'audit.jsonl'));
  const outcome = runMutation({
    plan: planned.plan,
    dryRun: opts.dryRun ?? false,
    yes: true,
    interactive: false,
    ui: new Ui(new PassThrough(), new PassThrough()),
    prompter: { confirm: async () => false, typeToConfirm: async () => false },
    audit,
    apply: async (p: Plan) => {
      await opts.beforeApply?.();
      return applyTtlChange(admin, p);
    },
  });
  return { planned, outcome, audit };
}

describe('bucket ttl set against GCS', () => {
  it('adds a TTL to a bucket with no rules', async () => {
    const bucket = await bucketWith([]);
    const { outcome, planned, audit } = await setTtl(bucket, 90);
    expect((await outcome).status).toBe('applied');
    expect(planned.change).toMatchObject({ previousDays: null, before: [], after: [ttl(90)] });
    expect((await admin.settings(bucket)).lifecycleRules).toEqual([ttl(90)]);
    expect(outcomesIn(audit.file)[0]).toMatchObject({ command: 'bucket ttl set', env: 'emu', result: 'applied' });
  });

  it('changes an existing TTL and bumps the metageneration once', async () => {
    const bucket = await bucketWith([ttl(90)]);
    const before = await admin.settings(bucket);
    await (
      await setTtl(bucket, 30)
    ).outcome;
    const after = await admin.settings(bucket);
    expect(after.lifecycleRules).toEqual([ttl(30)]);
    expect(Number(after.metageneration)).toBe(Number(before.metageneration) + 1);
  });

  it('keeps every foreign rule byte for byte, wherever the TTL sits', async () => {
    const bucket = await bucketWith([foreignRules[0]!, ttl(90), foreignRules[1]!, foreignRules[2]!]);
    const before = await rulesText(bucket);
    await (
      await setTtl(bucket, 14)
    ).outcome;
    const after = await rulesText(bucket);
    expect(after).toEqual([before[0], JSON.stringify(ttl(14)), before[2], before[3]]);
  });

  it('appends the TTL after foreign rules without touching them', async () => {
    const bucket = await bucketWith(foreignRules);
    const before = await rulesText(bucket);
    await (
      await setTtl(bucket, 60)
    ).outcome;
    const after = await rulesText(bucket);
    expect(after.slice(0, 3)).toEqual(before);
    expect(after[3]).toBe(JSON.stringify(ttl(60)));
  });

  it('setting the same value is a no-op with no PATCH', async () => {
    const bucket = await bucketWith([ttl(30)]);
    emu.log.clear();
    expect((await (await setTtl(bucket, 30)).outcome).status).toBe('no-op');
    expect(emu.log.mutating({ service: 'gcs' })).toEqual([]);
  });

  it('dry-run reads the bucket but sends no PATCH', async () => {
    const bucket = await bucketWith([foreignRules[0]!, ttl(90)]);
    const before = await rulesText(bucket);
    emu.log.clear();
    const { outcome, audit } = await setTtl(bucket, 30, { dryRun: true });
    expect((await outcome).status).toBe('dry-run');
    expect(emu.log.list({ service: 'gcs', method: 'GET' }).length).toBeGreaterThan(0);
    expect(emu.log.mutating({ service: 'gcs' })).toEqual([]);
    expect(await rulesText(bucket)).toEqual(before);
    expect(auditRecords(audit.file)).toEqual([]);
  });

  it('detects a change made between plan and apply and does not overwrite it', async () => {
    const bucket = await bucketWith([ttl(90)]);
    const theirs = [ttl(90), foreignRules[2]!];
    const { outcome, audit } = await setTtl(bucket, 30, {
      beforeApply: async () => {
        await storage.bucket(bucket).setMetadata(lifecycleOf(theirs));
      },
    });
    const err = await outcome.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConcurrentChangeError);
    expect(err).toMatchObject({
      exitCode: 1,
      message: expect.stringMatching(/changed since the plan was made.*nothing was overwritten/),
    });
    expect((err as Error).message).not.toContain('\n');
    expect((await admin.settings(bucket)).lifecycleRules).toEqual(theirs);
    expect(outcomesIn(audit.file)[0]).toMatchObject({ result: 'failed' });
  });

  it('the TTL it sets is the one GCS enforces: objects past it go, younger ones stay', async () => {
    const bucket = await bucketWith([foreignRules[0]!]);
    await storage.bucket(bucket).file('parcels/old').save('x');
    await (
      await setTtl(bucket, 2)
    ).outcome;
    emu.clock.advance(3 * DAY_MS);
    await storage.bucket(bucket).file('parcels/new').save('y');
    emu.sweep();
    const [files] = await storage.bucket(bucket).getFiles();
    expect(files.map((f) => f.name)).toEqual(['parcels/new']);
  });
});

describe('bucket ttl show against GCS', () => {
  it('explains the rules and warns about what stops or delays deletion', async () => {
    const bucket = await bucketWith([foreignRules[0]!, ttl(30)], {
      retentionPolicy: { retentionPeriod: 60 * 86_400 },
      softDeletePolicy: { retentionDurationSeconds: 7 * 86_400 },
    });
    await storage
      .bucket(bucket)
      .file('held')
      .save('x', { metadata: { temporaryHold: true } });
    const report = describeTtl(await readTtlState(admin, bucket, { scanHolds: true }));
    expect(report.ttl).toMatchObject({
      position: 2,
      days: 30,
      explanation: 'objects are deleted 30 days after creation',
    });
    expect(report.rules[0]!.explanation).toBe(
      'objects in STANDARD storage move to NEARLINE storage 30 days after creation',
    );
    expect(report.held).toBe(1);
    const w = report.warnings.join('\n');
    expect(w).toMatch(/unlocked retention policy keeps every object for 60 days.*live 60 days, not 30 days/);
    expect(w).toMatch(/1 object is under a temporary or event-based hold/);
    expect(w).toMatch(/soft delete keeps deleted objects for 7 days/);
    await storage.bucket(bucket).file('held').setMetadata({ temporaryHold: false });
  });

  it('an unknown bucket is one line, exit 2', async () => {
    const err = await readTtlState(admin, 'no-such-ttl-bucket', { scanHolds: true }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      exitCode: 2,
      message: 'bucket gs://no-such-ttl-bucket: not found (check the bucket name or role in gwctl.yaml)',
    });
  });

  it('missing permissions (403) is one line, exit 1', async () => {
    const standIn = await startInterceptor(emu.url, () => forbidden());
    try {
      const err = await readTtlState(new GcsBucketAdmin(gcsClient(standIn.url)), 'any-bucket', {
        scanHolds: true,
      }).catch((e: unknown) => e);
      expect(err).toMatchObject({
        exitCode: 1,
        message: expect.stringMatching(/^bucket gs:\/\/any-bucket: permission denied .*Storage IAM role$/),
      });
      expect((err as Error).message).not.toContain('\n');
    } finally {
      await standIn.close();
    }
  });
});
