import { describe, expect, it } from 'vitest';
import { MemoryLogStore } from '../../../src/lib/audit/shared/memory-log-store.js';
import { HEARTBEAT_STALE_MS, reconcileShared } from '../../../src/lib/audit/shared/reconcile-shared.js';
import { SharedAuditSink } from '../../../src/lib/audit/shared/shared-sink.js';
import { SharedLog } from '../../../src/lib/audit/shared/shared-log.js';
import { verifySharedLog } from '../../../src/lib/audit/shared/verify-log.js';
import type { AuditEntry } from '../../../src/lib/audit/record.js';
import { generateKeyPair, noteSignerFromKey, noteVerifierFromKey } from '../../../src/lib/tlog/index.js';

const ORIGIN = 'example.com/audit';
const keys = generateKeyPair(ORIGIN);

function sinkOn(store: MemoryLogStore) {
  const log = new SharedLog({
    store,
    origin: ORIGIN,
    verifier: noteVerifierFromKey(keys.verifierKey),
    signer: async () => noteSignerFromKey(keys.signerKey),
  });
  return new SharedAuditSink(log, {
    localRuns: () => [],
    verify: () => verifySharedLog({ store, origin: ORIGIN, verifier: noteVerifierFromKey(keys.verifierKey) }),
  });
}

const intent = (run: string, host: string): AuditEntry => ({
  kind: 'intent',
  operator: 'gcp:ksa:default/gwctl-backup (workload identity)',
  command: 'backup create',
  env: 'prod',
  planDigest: 'sha256:x',
  summary: 'back up the Vault bucket',
  steps: 3,
  run,
  process: { pid: 7, host, started: new Date().toISOString() },
});

describe('closing the intents of runs that died on another machine (the CronJob pod that was evicted)', () => {
  it('a run whose heartbeat is fresh stays open; once it is 10 minutes old, it is recorded as abandoned', async () => {
    const store = new MemoryLogStore();
    const writer = sinkOn(store);
    await writer.append(() => [intent('run1', 'gwctl-backup-pod-abc')]);
    await writer.settle();
    // A minute into its apply, the run wrote its heartbeat (what the writer's timer does); then the pod was evicted.
    await store.put('runs/run1', Buffer.from(new Date().toISOString()));
    const reader = sinkOn(store);
    const fresh = await reconcileShared(reader, 'gwctl audit show (test)');
    expect(fresh.recorded).toEqual([]);
    expect(fresh.open.map((r) => [r.intent.run, r.state])).toEqual([['run1', 'elsewhere']]);

    const later = Date.now() + HEARTBEAT_STALE_MS + 60_000;
    const dead = await reconcileShared(reader, 'gwctl audit show (test)', undefined, later);
    expect(dead.recorded).toEqual([
      expect.objectContaining({
        kind: 'outcome',
        run: 'run1',
        result: 'abandoned',
        reconciledBy: 'gwctl audit show (test)',
      }),
    ]);
    expect(dead.recorded[0]!.error).toMatch(
      /no sign of life from pid 7 on gwctl-backup-pod-abc since .* \(its last heartbeat\)/,
    );
    expect(dead.open).toEqual([]);
    // Its heartbeat object goes with it.
    expect(await store.list('runs/')).toEqual([]);
  });

  it('a run killed within its first minute (no heartbeat yet) is judged by its intent’s time', async () => {
    const store = new MemoryLogStore();
    const writer = sinkOn(store);
    await writer.append(() => [intent('run2', 'laptop-of-alice')]);
    await writer.settle();
    const dead = await reconcileShared(sinkOn(store), 'test', undefined, Date.now() + HEARTBEAT_STALE_MS + 1000);
    expect(dead.recorded[0]!.error).toMatch(/its intent; it left no heartbeat/);
  });
});
