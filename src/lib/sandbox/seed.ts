import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { makePrivateDir, writePrivateFile } from '@gwctl/emulators/common';
import pLimit from 'p-limit';
import { withEnvironmentAdmins } from '../cloud/environment-admins.js';
import { openStorage } from '../cloud/storage.js';
import type { Environment } from '../config/schema.js';
import { applyProtectionPlan, buildProtectionPlan } from '../protection/plan.js';
import { readProtection } from '../protection/status.js';
import { SANDBOX_AUDIT_BUCKET, SANDBOX_BUCKETS } from './environment.js';
import { bucketInsertBody, SANDBOX_BUCKET_CODE } from './infra-code.js';
import { sandboxFiles } from './paths.js';
import { seedKubeObjects } from './seed-kube.js';
import { seedMongoCollections } from './seed-mongo.js';
import { parcelObjectNames, TFVARS, vaultEntry, vaultObjectNames } from './seed-data.js';

export interface SeedTargets {
  dir: string;
  /** The sandbox environment over the fresh emulators (sandboxEnvironmentAt). */
  env: Environment;
  kube: { seed(objects: object[]): Promise<unknown> | unknown };
  mongo: { seed(db: string, collection: string, docs: object[]): Promise<unknown> | unknown };
}

export interface SeedReport {
  buckets: Record<string, number>;
  kubeObjects: number;
  mongoDocuments: number;
}

/**
 * Puts a realistic gateway into fresh emulators, once: a restarted sandbox keeps whatever the
 * operator did to it (that is the point of rehearsing). `gwctl sandbox reset` starts over.
 */
export async function seedSandbox(t: SeedTargets): Promise<SeedReport | undefined> {
  const files = sandboxFiles(t.dir);
  if (existsSync(files.seeded)) return undefined;

  const { env } = t;
  const storage = await openStorage(env);
  const { parcels, vault, backups } = SANDBOX_BUCKETS;
  // From the same code `verify infra` compares with: what is seeded is what the code says.
  for (const b of SANDBOX_BUCKET_CODE) await storage.createBucket(b.name, bucketInsertBody(b) as never);
  // Versioned, as a real audit bucket should be: an overwritten tile or checkpoint stays recoverable as evidence.
  await storage.createBucket(
    SANDBOX_AUDIT_BUCKET,
    bucketInsertBody({ resource: 'audit', name: SANDBOX_AUDIT_BUCKET, versioning: true }) as never,
  );
  const limit = pLimit(16);
  const put = (bucket: string, name: string, body: Buffer, contentType: string, metadata?: Record<string, string>) =>
    limit(() =>
      storage
        .bucket(bucket)
        .file(name)
        .save(body, {
          resumable: false,
          contentType,
          validation: false,
          ...(metadata ? { metadata: { metadata } } : {}),
        }),
    );
  const parcelNames = parcelObjectNames();
  const vaultNames = vaultObjectNames();
  await Promise.all([
    ...parcelNames.map((n, i) =>
      put(parcels, n, vaultEntry(n).subarray(0, 200 + i), 'application/vnd.awala.parcel', {
        'relaynet-ttl': String(3600 * 24 * (1 + (i % 30))),
      }),
    ),
    ...vaultNames.map((n) => put(vault, n, vaultEntry(n), 'application/octet-stream')),
  ]);

  const kubeObjects = seedKubeObjects();
  await t.kube.seed(kubeObjects);
  const collections = seedMongoCollections();
  let mongoDocuments = 0;
  for (const [collection, docs] of Object.entries(collections)) {
    await t.mongo.seed('awala-gateway', collection, docs);
    mongoDocuments += docs.length;
  }

  makePrivateDir(dirname(files.tfvars));
  if (!existsSync(files.tfvars)) writePrivateFile(files.tfvars, TFVARS);
  await protectLikeProduction(env);
  // Last: data without this marker is a seeding that never finished, which the next start wipes (run.ts).
  writePrivateFile(files.seeded, new Date().toISOString());
  return {
    buckets: { [parcels]: parcelNames.length, [vault]: vaultNames.length, [backups]: 0, [SANDBOX_AUDIT_BUCKET]: 0 },
    kubeObjects: kubeObjects.length,
    mongoDocuments,
  };
}

/** Real gateways start protected (prevent_destruction defaults to true), so the sandbox does too. */
async function protectLikeProduction(env: Environment): Promise<void> {
  await withEnvironmentAdmins(env, async (admins) =>
    applyProtectionPlan(buildProtectionPlan(await readProtection(env, admins), true), admins),
  );
}
