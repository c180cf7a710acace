import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MonitoringTarget } from '@gwctl/emulators/testing';
import { runGwctl, tempDir, resultOf } from '../helpers/cli.js';
import { configYaml, PROJECT, startProject } from './harness.js';

let t: MonitoringTarget;
let dir: string;
const gwctl = (...args: string[]) =>
  runGwctl([...args, '--env', 'test'], { cwd: dir, env: { GWCTL_HOME: join(dir, '.gwctl') } });
const writeConfig = (alerting?: string) => writeFileSync(join(dir, 'gwctl.yaml'), configYaml(t, alerting));

beforeEach(async () => {
  t = await startProject();
  dir = tempDir('gwctl-monitoring-');
  writeConfig();
});
afterEach(() => t.close());

describe('gwctl monitoring, as an operator runs it', () => {
  it('plan --exit-code exits 3 while there is something to apply, and 0 once applied', async () => {
    const before = await gwctl('monitoring', 'plan', '--exit-code');
    expect(before.code).toBe(3);
    expect(before.stdout).toMatch(/missing/);
    expect(t.log.mutating()).toEqual([]);
    const applied = await gwctl('monitoring', 'apply', '--yes');
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/12 created, 0 updated, 0 deleted/);
    const after = await gwctl('monitoring', 'plan', '--exit-code', '--json');
    expect(after.code).toBe(0);
    expect(resultOf(after).plan.steps).toEqual([]);
  });

  it('--dry-run prints the plan and sends no mutating call', async () => {
    const r = await gwctl('monitoring', 'apply', '--dry-run');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/create-policy/);
    expect(r.stdout).toMatch(/dry run: nothing was changed/);
    expect(t.log.mutating()).toEqual([]);
    expect(t.log.list().length).toBeGreaterThan(0);
  });

  it('a second apply makes no mutating call and records nothing in the audit log', async () => {
    await gwctl('monitoring', 'apply', '--yes');
    const audit = () =>
      readFileSync(join(dir, '.gwctl', 'audit.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
    expect(audit()).toMatchObject([
      { kind: 'intent', command: 'monitoring apply', env: 'test' },
      { kind: 'outcome', command: 'monitoring apply', env: 'test', result: 'applied' },
    ]);
    expect(audit()[1].details.created).toHaveLength(12);
    t.log.clear();
    const again = await gwctl('monitoring', 'apply', '--yes', '--json');
    expect(again.code).toBe(0);
    expect(resultOf(again).status).toBe('no-op');
    expect(t.log.mutating()).toEqual([]);
    expect(audit()).toHaveLength(2);
  });

  it('refuses non-interactive apply without --yes', async () => {
    const r = await gwctl('monitoring', 'apply');
    expect(r.code).toBe(2);
    expect(t.log.mutating()).toEqual([]);
  });

  it('exits 2 with one line naming the missing channel, before anything is created', async () => {
    writeConfig('{ notificationChannels: [oncall, pager] }');
    const r = await gwctl('monitoring', 'apply', '--yes');
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/"pager" does not exist in project gwctl-test/);
    expect(t.log.mutating()).toEqual([]);
  });

  it('status shows drift after a console edit, and --exit-code exits 3', async () => {
    await gwctl('monitoring', 'apply', '--yes');
    const [policies] = await t.alertPolicies.listAlertPolicies({
      name: `projects/${PROJECT}`,
      filter: 'user_labels.gwctl_id = "backend-5xx-ratio"',
    });
    await t.alertPolicies.updateAlertPolicy({
      alertPolicy: { name: policies[0]!.name, displayName: 'tweaked' },
      updateMask: { paths: ['display_name'] },
    });
    const s = await gwctl('monitoring', 'status', '--exit-code');
    expect(s.code).toBe(3);
    expect(s.stdout).toMatch(/backend-5xx-ratio\s+drifted: edited outside gwctl \(display_name\)/);
    const json = await gwctl('monitoring', 'status', '--json');
    expect(resultOf(json).rows.find((r: { id: string }) => r.id === 'backend-5xx-ratio').state).toBe('drifted');
  });
});
