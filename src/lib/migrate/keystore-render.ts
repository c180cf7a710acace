import { makePlan, type Plan } from '../plan/plan.js';
import type { Ui } from '../ui/ui.js';
import type { KeystoreSummary } from './keystore-apply.js';
import { keystoreBatchStep, type KeystorePlan } from './keystore-plan.js';
import { printable } from '../ui/printable.js';

/** The keystore copy as a gwctl plan: one step per Firestore commit, so a dry run shows exactly the batches apply sends. */
export function keystoreMutationPlan(env: string, plan: KeystorePlan): Plan {
  const warnings = [...plan.warnings];
  for (const c of plan.collections) {
    for (const d of c.documents) {
      if (d.action === 'invalid') warnings.push(`cannot copy ${c.collection}/${printable(d.id)}: ${d.reason}`);
      if (d.action === 'conflict' && !plan.overwrite)
        warnings.push(
          `conflict: Firestore ${c.collection}/${printable(d.id)} differs from MongoDB; --overwrite replaces it`,
        );
    }
  }
  const n = plan.counts;
  return makePlan({
    command: 'migrate keystore',
    env,
    summary: `copy ${plan.collections.map((c) => c.collection).join(', ')} from ${plan.source.database} to Firestore ${plan.target.where}: ${n.create} to create, ${n.unchanged} already there${n.conflict ? `, ${n.conflict} differing` : ''}${n.invalid ? `, ${n.invalid} refused` : ''}`,
    destructive: false,
    steps: plan.collections.flatMap((c) => {
      const conflicting = new Set(c.documents.filter((d) => d.action === 'conflict').map((d) => d.id));
      return c.batches.map((ids, i) => {
        const overwrites = ids.filter((id) => conflicting.has(id)).length;
        return {
          id: keystoreBatchStep(c.collection, i),
          action: overwrites ? 'overwrite' : 'copy',
          target: `firestore:${c.collection}`,
          description: `batch ${i + 1}/${c.batches.length}: ${ids.length} document(s)${overwrites ? `, ${overwrites} replacing a different version` : ''}`,
          detail: { collection: c.collection, ids },
        };
      });
    }),
    warnings,
  });
}

export function renderKeystoreSummary(ui: Ui, s: KeystoreSummary): void {
  ui.table(s.verification, [
    { header: 'collection', get: (v) => v.collection },
    { header: 'mongodb', get: (v) => v.sourceCount, align: 'right' },
    { header: 'firestore', get: (v) => v.targetCount, align: 'right' },
    { header: 'missing', get: (v) => v.missing.length, align: 'right' },
    { header: 'different', get: (v) => v.different.length, align: 'right' },
    { header: 'extra', get: (v) => v.extra.length, align: 'right' },
    { header: 'verified', get: (v) => (v.ok ? 'yes' : 'NO') },
  ]);
  const line = `${s.created} created, ${s.unchanged} unchanged, ${s.overwritten} overwritten, ${s.failed} failed`;
  if (s.verification.every((v) => v.ok)) ui.success(`${line}; counts and per-document digests match on both sides`);
  else
    ui.warn(
      `${line}; verification failed for ${s.verification
        .filter((v) => !v.ok)
        .map((v) => v.collection)
        .join(', ')}`,
    );
}
