import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeprovisionJournal, journalPath } from '../../src/lib/deprovision/journal.js';
import { nothingToDeprovision } from '../../src/lib/deprovision/render.js';

const scope = { env: 'staging', project: 'gw-staging', namespace: 'default' };
const homes: string[] = [];
const newJournal = () => {
  const home = mkdtempSync(join(tmpdir(), 'gwctl-journal-'));
  homes.push(home);
  return journalPath('staging', home);
};
afterEach(() => {
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});

describe('the deprovision journal, when a re-run finds nothing left to do', () => {
  it('closes a run killed after its last step but before it was marked finished', () => {
    const file = newJournal();
    const killed = DeprovisionJournal.load(file);
    killed.beginRun(scope);
    killed.markDone('scale/deployment/default/public-gateway-poweb', 'done');
    // kill -9 here: every step done, the journal still open
    const again = DeprovisionJournal.load(file);
    expect(again.finished).toBe(false);
    again.closeFinishedRun(scope);
    const reread = DeprovisionJournal.load(file);
    expect(reread.finished).toBe(true);
    expect(reread.data!.runs).toBe(2);
    expect(reread.doneCount).toBe(1);
    expect(nothingToDeprovision('staging', reread)).toMatch(
      /^staging is already deprovisioned \(finished .+\): nothing to do$/,
    );
  });

  it('leaves a finished journal as it is, and starts none for an environment never deprovisioned', () => {
    const file = newJournal();
    const fresh = DeprovisionJournal.load(file);
    fresh.closeFinishedRun(scope);
    expect(DeprovisionJournal.load(file).started).toBe(false);
    expect(nothingToDeprovision('staging', fresh)).toMatch(/has nothing to deprovision/);
    fresh.beginRun(scope);
    fresh.markFinished(new Date('2026-01-02T03:04:05Z'));
    DeprovisionJournal.load(file).closeFinishedRun(scope);
    expect(DeprovisionJournal.load(file).data).toMatchObject({ runs: 1, finishedAt: '2026-01-02T03:04:05.000Z' });
  });
});
