import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FileAuditSink } from '../../src/lib/audit/file-sink.js';
import { GwctlError } from '../../src/lib/errors/gwctl-error.js';
import { runMutation, type MutationOptions } from '../../src/lib/plan/mutation.js';
import { makePlan, planDigest } from '../../src/lib/plan/plan.js';
import type { Prompter } from '../../src/lib/ui/prompter.js';
import { Ui } from '../../src/lib/ui/ui.js';
import { auditRecords } from '../helpers/audit.js';
import { tempDir } from '../helpers/cli.js';

const plan = (destructive = false) =>
  makePlan({
    command: 'env deprovision',
    env: 'staging',
    summary: 'tear down staging',
    destructive,
    steps: [
      {
        id: 'delete-ingress',
        action: 'delete',
        target: 'ingress/default/public-gateway',
        description: 'and its load balancer',
      },
    ],
  });

function harness(over: Partial<MutationOptions<string>> & { answers?: { confirm?: boolean; typed?: string } } = {}) {
  const out = new PassThrough();
  let printed = '';
  out.on('data', (c) => (printed += c));
  const applied: string[] = [];
  const prompter: Prompter = {
    confirm: async () => over.answers?.confirm ?? false,
    typeToConfirm: async (_m, expected) => (over.answers?.typed ?? '') === expected,
  };
  const audit = new FileAuditSink(join(tempDir(), 'audit.jsonl'));
  const opts: MutationOptions<string> = {
    plan: plan(),
    dryRun: false,
    yes: false,
    interactive: false,
    ui: new Ui(out, out),
    prompter,
    audit,
    apply: async (p) => {
      applied.push(p.summary);
      return 'done';
    },
    ...over,
  };
  return { opts, applied, audit, records: () => auditRecords(audit.file), printed: () => printed };
}

describe('plan → confirm → apply → audit', () => {
  it('dry-run prints the plan and changes nothing', async () => {
    const h = harness({ dryRun: true, yes: true });
    const outcome = await runMutation(h.opts);
    expect(outcome.status).toBe('dry-run');
    expect(h.applied).toEqual([]);
    expect(h.records()).toEqual([]);
    expect(h.printed()).toMatch(/delete ingress\/default\/public-gateway/);
  });

  it('refuses to act non-interactively without --yes (exit 2)', async () => {
    const h = harness();
    await expect(runMutation(h.opts)).rejects.toMatchObject({ exitCode: 2 });
    expect(h.applied).toEqual([]);
  });

  it('applies with --yes, between an intent and an outcome that carry the plan digest and what its steps acted on', async () => {
    const h = harness({ yes: true });
    const outcome = await runMutation(h.opts);
    expect(outcome.status).toBe('applied');
    const [intent, applied] = h.records();
    const digest = planDigest(plan());
    expect(intent).toMatchObject({ kind: 'intent', command: 'env deprovision', env: 'staging', planDigest: digest });
    expect(applied).toMatchObject({
      kind: 'outcome',
      run: intent!.kind === 'intent' ? intent!.run : '',
      result: 'applied',
      planDigest: digest,
      steps: { planned: 1, done: 1 },
      // What `verify infra` attributes drift with.
      targets: ['ingress/default/public-gateway'],
    });
  });

  it('needs --yes --confirm <env> for a destructive plan run by a script', async () => {
    await expect(runMutation(harness({ plan: plan(true), yes: true }).opts)).rejects.toThrow(/--yes --confirm staging/);
    await expect(runMutation(harness({ plan: plan(true), yes: true, confirm: 'prod' }).opts)).rejects.toThrow(
      /does not match/,
    );
    const ok = harness({ plan: plan(true), yes: true, confirm: 'staging' });
    expect((await runMutation(ok.opts)).status).toBe('applied');
  });

  it('asks an operator at a terminal to type the environment name', async () => {
    const wrong = harness({ plan: plan(true), interactive: true, answers: { typed: 'stagin' } });
    await expect(runMutation(wrong.opts)).rejects.toThrow(GwctlError);
    expect(wrong.applied).toEqual([]);
    const right = harness({ plan: plan(true), interactive: true, answers: { typed: 'staging' } });
    expect((await runMutation(right.opts)).status).toBe('applied');
  });

  it('audits a failed apply, then reports the failure', async () => {
    const h = harness({ yes: true, apply: async () => Promise.reject(new Error('boom')) });
    await expect(runMutation(h.opts)).rejects.toThrow('boom');
    expect(h.records()[1]).toMatchObject({ kind: 'outcome', result: 'failed', error: 'boom' });
  });

  it('keeps no credentials from the failure in the audit record', async () => {
    const failure = new Error('cannot reach mongodb://gwadmin:hunter2@db.internal:27017/awala');
    const h = harness({ yes: true, apply: async () => Promise.reject(failure) });
    await expect(runMutation(h.opts)).rejects.toThrow(failure);
    expect(h.records()[1]).toMatchObject({
      kind: 'outcome',
      error: 'cannot reach mongodb://***@db.internal:27017/awala',
    });
  });

  it('an empty plan is a no-op with no audit record', async () => {
    const h = harness({
      yes: true,
      plan: makePlan({ command: 'c', env: 'e', summary: 's', destructive: false, steps: [] }),
    });
    expect((await runMutation(h.opts)).status).toBe('no-op');
    expect(h.records()).toEqual([]);
  });
});
