import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { OutcomeRecord } from '../../../src/lib/audit/record.js';
import { MemoryLogStore } from '../../../src/lib/audit/shared/memory-log-store.js';
import { SharedAuditSink } from '../../../src/lib/audit/shared/shared-sink.js';
import { SharedLog } from '../../../src/lib/audit/shared/shared-log.js';
import { verifySharedLog } from '../../../src/lib/audit/shared/verify-log.js';
import { MAX_TARGETS, targetsDigest } from '../../../src/lib/audit/targets.js';
import { runMutation } from '../../../src/lib/plan/mutation.js';
import { makePlan } from '../../../src/lib/plan/plan.js';
import {
  generateKeyPair,
  MAX_ENTRY_SIZE,
  noteSignerFromKey,
  noteVerifierFromKey,
} from '../../../src/lib/tlog/index.js';
import { Ui } from '../../../src/lib/ui/ui.js';
import { auditEntriesFor } from '../../../src/lib/verify/attribution.js';

const ORIGIN = 'example.com/audit';

function sharedSink(store: MemoryLogStore) {
  const keys = generateKeyPair(ORIGIN);
  const verifier = noteVerifierFromKey(keys.verifierKey);
  const log = new SharedLog({ store, origin: ORIGIN, verifier, signer: async () => noteSignerFromKey(keys.signerKey) });
  return new SharedAuditSink(log, {
    localRuns: () => [],
    verify: () => verifySharedLog({ store, origin: ORIGIN, verifier }),
  });
}

describe('a restore of thousands of objects with the shared audit log', () => {
  it('records its intent and outcome within one entry’s 64 KiB, listing the first targets and a digest of all', async () => {
    const store = new MemoryLogStore();
    const sink = sharedSink(store);
    // 5,000 objects with names as long as a restore's: the full list alone is ~400 KiB.
    const targets = Array.from(
      { length: 5000 },
      (_, i) => `gs://gateway-prod-parcels-1a2b3c/parcels/${String(i).padStart(6, '0')}/${'x'.repeat(40)}`,
    );
    const plan = makePlan({
      command: 'backup restore',
      env: 'prod',
      summary: 'restore 5000 objects',
      destructive: false,
      steps: targets.map((target, i) => ({ id: `copy-${i}`, action: 'copy', target, description: '' })),
    });
    const sinkOut = new PassThrough();
    const outcome = await runMutation({
      plan,
      dryRun: false,
      yes: true,
      interactive: false,
      ui: new Ui(sinkOut, sinkOut),
      prompter: { confirm: async () => true, typeToConfirm: async () => true },
      audit: sink,
      apply: async (p, ctx) => p.steps.forEach((s) => ctx.stepDone(s.id)),
    });
    expect(outcome.status).toBe('applied');
    await sink.settle();

    const records = (await sink.read()).map((l) => l.record!);
    expect(sink.lastVerdict?.problems).toEqual([]);
    expect(records.map((r) => r.kind)).toEqual(['intent', 'outcome']);
    for (const r of records) {
      expect(r.targets).toEqual(targets.slice(0, MAX_TARGETS));
      expect(r.targetsOmitted).toBe(5000 - MAX_TARGETS);
      expect(r.targetsDigest).toBe(targetsDigest(targets));
    }
    for (const line of await sink.read()) expect(Buffer.byteLength(line.text)).toBeLessThan(MAX_ENTRY_SIZE);
    // `verify infra` still attributes drift on the listed targets to the restore.
    expect(auditEntriesFor(targets[0]!, records).map((e) => e.command)).toEqual(['backup restore']);
    expect((records[1] as OutcomeRecord).result).toBe('applied');
  });
});
