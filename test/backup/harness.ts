import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Storage } from '@google-cloud/storage';
import { stringify } from 'yaml';
import { type ObjectInfo, type ObjectStore } from '../../src/lib/cloud/object-store.js';
import { GcsObjectStore } from '../../src/lib/cloud/gcs-object-store.js';
import { environmentSchema, type Environment } from '../../src/lib/config/schema.js';
import { startGcsEmulator, type GcsEmulator } from '@gwctl/emulators/gcs';
import { backupLocation, type BackupLocation } from '../../src/lib/backup/layout.js';
import { gcsClient } from '@gwctl/emulators/testing';
import { InMemoryObjectStore } from '../../src/lib/cloud/in-memory-object-store.js';
import { tempDir } from '../helpers/cli.js';

export const VAULT = 'relaycorp-gateway-test-vault';
export const BACKUPS = 'relaycorp-gateway-test-backups';

/** Names that break naive URL building: unicode, spaces, #, ?, %, +, and a 1000-byte name. */
export const AWKWARD_NAMES = [
  'sys/token/id/h4a1b2c3',
  'ünïcødé/ключ/鍵/🔑',
  'with space/and  two spaces.json',
  'hash#fragment',
  'query?x=1&y=2',
  'percent%2Fencoded+plus',
  `long/${'n'.repeat(995)}`,
];

export interface Fixture {
  emu: GcsEmulator;
  /** A plain SDK client, for seeding and checking as an operator's other tools would. */
  gcs: Storage;
  env: Environment;
  loc: BackupLocation;
  store: ObjectStore;
  close(): Promise<void>;
}

export function environment(storageUrl: string, extra: { kubeServer?: string } = {}): Environment {
  const parsed = environmentSchema.parse({
    project: 'test',
    buckets: { vault: VAULT, backups: BACKUPS },
    emulators: { storage: storageUrl },
    ...(extra.kubeServer ? { kube: { server: extra.kubeServer, namespace: 'default' } } : {}),
  });
  return { ...parsed, name: 'test', source: 'test fixture' };
}

export async function startFixture(opts: { faults?: boolean } = {}): Promise<Fixture> {
  const emu = await startGcsEmulator();
  const gcs = gcsClient(emu.url);
  await gcs.createBucket(VAULT);
  await gcs.createBucket(BACKUPS);
  const env = environment(emu.url);
  // Short backoff: the faults tests retry hundreds of calls.
  const store = new GcsObjectStore(env, {
    retry: { baseDelayMs: opts.faults ? 20 : 50, maxDelayMs: 500, attempts: 12 },
  });
  return { emu, gcs, env, loc: backupLocation(env), store, close: () => emu.close() };
}

/** The same buckets in memory (Velero's in-memory object store), for logic tests that need no HTTP; `advance` moves its clock. */
export interface MemoryFixture {
  store: InMemoryObjectStore;
  loc: BackupLocation;
  advance(ms: number): void;
  seed(objects: Seeded[]): Promise<void>;
}

export async function memoryFixture(): Promise<MemoryFixture> {
  let now = Date.now();
  const store = new InMemoryObjectStore(() => new Date(now));
  await store.createBucket(VAULT);
  await store.createBucket(BACKUPS);
  return {
    store,
    // No emulator: nothing goes to this address.
    loc: backupLocation(environment('http://127.0.0.1:9')),
    advance: (ms) => {
      now += ms;
    },
    seed: async (objects) => {
      for (const o of objects)
        await store.write({ bucket: VAULT, name: o.name }, o.data, {
          attributes: { contentType: o.contentType, metadata: o.metadata },
        });
    },
  };
}

export interface Seeded {
  name: string;
  data: Buffer;
  contentType: string;
  metadata: Record<string, string>;
}

/** Writes objects through the plain SDK (as Vault would), in parallel batches. */
export async function seed(gcs: Storage, bucket: string, objects: Seeded[], concurrency = 32): Promise<void> {
  for (let i = 0; i < objects.length; i += concurrency) {
    await Promise.all(
      objects.slice(i, i + concurrency).map((o) =>
        gcs
          .bucket(bucket)
          .file(o.name)
          .save(o.data, { resumable: false, metadata: { contentType: o.contentType, metadata: o.metadata } }),
      ),
    );
  }
}

/** Uploads through the JSON API's multipart upload with plain fetch: faster than the SDK for thousands of objects. */
export async function seedFast(url: string, bucket: string, objects: Seeded[], concurrency = 64): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < objects.length; i = next++) {
      const o = objects[i]!;
      const boundary = `gwctl${i}`;
      const meta = JSON.stringify({ name: o.name, contentType: o.contentType, metadata: o.metadata });
      const body = Buffer.concat([
        Buffer.from(
          `--${boundary}\r\ncontent-type: application/json\r\n\r\n${meta}\r\n--${boundary}\r\ncontent-type: ${o.contentType}\r\n\r\n`,
        ),
        o.data,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      const res = await fetch(`${url}/upload/storage/v1/b/${bucket}/o?uploadType=multipart`, {
        method: 'POST',
        body,
        headers: { 'content-type': `multipart/related; boundary=${boundary}` },
      });
      if (!res.ok) throw new Error(`seeding ${o.name}: HTTP ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** Bytes of every object, downloaded with plain fetch. */
export async function contents(
  url: string,
  bucket: string,
  names: string[],
  concurrency = 64,
): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < names.length; i = next++) {
      const res = await fetch(`${url}/download/storage/v1/b/${bucket}/o/${encodeURIComponent(names[i]!)}?alt=media`);
      if (res.ok) out.set(names[i]!, Buffer.from(await res.arrayBuffer()));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}

export function vaultLike(n: number, prefix = 'logical/'): Seeded[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `${prefix}${String(i).padStart(5, '0')}`,
    data: Buffer.from(`vault:v1:${i}:${'x'.repeat(i % 97)}`),
    contentType: 'application/octet-stream',
    metadata: { 'vault-entry': String(i) },
  }));
}

/** Every object of a bucket with its bytes, as a plain client sees it. */
export async function snapshot(
  gcs: Storage,
  bucket: string,
): Promise<Map<string, { data: Buffer; contentType?: string; metadata: Record<string, string> }>> {
  const [files] = await gcs.bucket(bucket).getFiles();
  const out = new Map<string, { data: Buffer; contentType?: string; metadata: Record<string, string> }>();
  await Promise.all(
    files.map(async (f) => {
      const [data] = await f.download({ validation: false });
      out.set(f.name, {
        data,
        contentType: f.metadata.contentType,
        metadata: (f.metadata.metadata ?? {}) as Record<string, string>,
      });
    }),
  );
  return out;
}

export const rewrites = (emu: GcsEmulator) =>
  emu.log.list({ method: 'POST' }).filter((r) => r.path.includes('/rewriteTo/') && !r.fault);

export async function listAll(store: ObjectStore, bucket: string, prefix?: string): Promise<ObjectInfo[]> {
  const all: ObjectInfo[] = [];
  for await (const page of store.list(bucket, prefix ? { prefix } : {})) all.push(...page);
  return all;
}

/** A gwctl.yaml with one environment, `test`, pointing at the emulators (and a parcels bucket, if given). */
export function writeConfig(storageUrl: string, kubeServer?: string, parcels?: string): { dir: string; file: string } {
  const dir = tempDir('gwctl-backup-');
  const file = join(dir, 'gwctl.yaml');
  writeFileSync(
    file,
    stringify({
      audit: { file: './audit.jsonl' },
      environments: {
        test: {
          project: 'test',
          buckets: { vault: VAULT, backups: BACKUPS, ...(parcels ? { parcels } : {}) },
          emulators: { storage: storageUrl },
          ...(kubeServer ? { kube: { server: kubeServer, namespace: 'default' } } : {}),
          workloads: { vault: 'statefulset/vault' },
        },
      },
    }),
  );
  return { dir, file };
}

/** Vault as the gateway's chart deploys it: a StatefulSet in `default` (the kube emulator takes it as seeded). */
export const vaultStatefulSet = (replicas: number) => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'vault', namespace: 'default' },
  spec: {
    replicas,
    serviceName: 'vault',
    selector: { matchLabels: { app: 'vault' } },
    template: {
      metadata: { labels: { app: 'vault' } },
      spec: { containers: [{ name: 'vault', image: 'hashicorp/vault:1.15' }] },
    },
  },
});
