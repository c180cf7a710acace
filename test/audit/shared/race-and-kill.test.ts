import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openSharedLog } from '../../../src/lib/audit/shared/open-shared-log.js';
import { reconcileShared } from '../../../src/lib/audit/shared/reconcile-shared.js';
import { FileRunProgress } from '../../../src/lib/audit/run-progress.js';
import type { SharedLogConfig } from '../../../src/lib/audit/shared/log-config.js';
import { sharedLogDeps } from '../../../src/lib/cloud/shared-log-deps.js';
import { bytesEqual, leafHash, openCheckpoint, rootFromLeafHashes } from '../../../src/lib/tlog/index.js';
import { tempDir } from '../../helpers/cli.js';
import { ORIGIN, startAuditBucket } from './helpers.js';

const WORKER = resolve(import.meta.dirname, 'append-worker.mjs');
const WRITERS = 8;
const CHANGES = 12;

function startWorker(args: string[], home: string) {
  const child = spawn(process.execPath, [WORKER, ...args], {
    env: { ...process.env, GWCTL_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const applied: string[] = [];
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    for (const line of c.toString().split('\n')) if (line.startsWith('applied ')) applied.push(line.slice(8));
  });
  child.stderr.on('data', (c: Buffer) => (stderr += c));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, applied, exited, stderr: () => stderr };
}

describe('the shared audit log under 8 concurrent gwctl processes and a kill -9', () => {
  let bucket: Awaited<ReturnType<typeof startAuditBucket>>;
  beforeAll(async () => {
    // A few ms per request, so that a kill lands in the middle of an append's round trips.
    bucket = await startAuditBucket({ latencyMs: 3 });
  });
  afterAll(async () => {
    vi.unstubAllEnvs(); // workers run file after file (isolate: false)
    await bucket.close();
  });

  it('loses no applied change, never forks, and every checkpoint ever written signs a prefix of the log', async () => {
    const dir = tempDir('gwctl-shared-race-');
    const home = join(dir, 'home');
    const keyFile = join(dir, 'audit.key');
    const runs = join(home, 'runs');
    const args = (w: string, n: number) => [bucket.gcs.url, bucket.bucket, keyFile, runs, w, String(n)];
    const writers = Array.from({ length: WRITERS }, (_, w) => startWorker(args(String(w), CHANGES), home));
    // The victim appends for as long as it lives; it is killed with -9 once it has a few changes recorded.
    const victim = startWorker(args('victim', 1000), home);
    while (victim.applied.length < 3) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, Math.random() * 20));
    victim.child.kill('SIGKILL');
    const codes = await Promise.all(writers.map((w) => w.exited));
    expect(codes, writers.map((w) => w.stderr()).join('\n')).toEqual(Array(WRITERS).fill(0));
    await victim.exited;

    // The next gwctl on this machine finds the victim's run dead and closes it.
    const config: SharedLogConfig = {
      env: 'race',
      url: `gs://${bucket.bucket}/log/`,
      bucket: bucket.bucket,
      prefix: 'log/',
      origin: ORIGIN,
      signer: { kind: 'file', keyFile },
      witnesses: [],
    };
    vi.stubEnv('GWCTL_HOME', home);
    const progress = new FileRunProgress(runs);
    const { sink } = await openSharedLog(config, sharedLogDeps(bucket.env, config), { progress });
    const { lines } = await reconcileShared(sink, 'gwctl audit verify (test)', progress);
    const verdict = sink.lastVerdict!;
    expect(verdict.problems).toEqual([]);

    const records = lines.map((l) => l.record!);
    const intents = records.filter((r) => r.kind === 'intent');
    const outcomes = records.filter((r) => r.kind === 'outcome');
    // Every change a writer saw applied has its intent before its outcome, in the shared log.
    for (const run of [...writers.flatMap((w) => w.applied), ...victim.applied]) {
      const i = intents.findIndex((r) => r.run === run);
      const o = outcomes.find((r) => r.run === run);
      expect(i, `intent of ${run}`).toBeGreaterThanOrEqual(0);
      expect(o, `outcome of ${run}`).toMatchObject({ result: 'applied' });
      expect(intents[i]!.seq).toBeLessThan(o!.seq);
    }
    expect(writers.flatMap((w) => w.applied)).toHaveLength(WRITERS * CHANGES);
    // Each intent has exactly one outcome: the victim's last one, if its intent landed, is abandoned.
    for (const intent of intents)
      expect(outcomes.filter((o) => o.run === intent.run).map((o) => o.result)).toHaveLength(1);
    const abandoned = outcomes.filter((o) => o.kind === 'outcome' && o.result === 'abandoned');
    expect(abandoned.length).toBeLessThanOrEqual(1);
    // Entries name the index they landed at: nothing was written twice or out of place.
    lines.forEach((l, i) => expect(JSON.parse(l.text).index).toBe(i));

    // The root recomputed from all entries is the signed one; and every earlier checkpoint (the bucket keeps
    // each generation) signs the root of the entries that were there then: a prefix, never another history.
    const leaves = verdict.entries.map((e) => leafHash(e.bytes));
    const verifier = (await import('../../../src/lib/tlog/index.js')).noteVerifierFromKey(
      (await openSharedLog(config, sharedLogDeps(bucket.env, config))).key.verifierKey,
    );
    expect(bytesEqual(rootFromLeafHashes(leaves), openCheckpoint(verdict.note, [verifier]).checkpoint.rootHash)).toBe(
      true,
    );
    const [versions] = await bucket.storage
      .bucket(bucket.bucket)
      .getFiles({ prefix: 'log/checkpoint', versions: true });
    expect(versions.length).toBeGreaterThan(WRITERS);
    for (const v of versions) {
      const [data] = await v.download();
      const { checkpoint } = openCheckpoint(data, [verifier], ORIGIN);
      expect(bytesEqual(rootFromLeafHashes(leaves.slice(0, checkpoint.size)), checkpoint.rootHash)).toBe(true);
    }
  }, 240_000);
});
