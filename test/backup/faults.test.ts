import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listBackups } from '../../src/lib/backup/catalog.js';
import { createBackup } from '../../src/lib/backup/create.js';
import { applyRestore } from '../../src/lib/backup/restore.js';
import { planBackupRestore } from '../../src/lib/backup/restore-plan.js';
import { contents, listAll, seedFast, startFixture, VAULT, vaultLike, type Fixture } from './harness.js';

let f: Fixture;
beforeEach(async () => {
  f = await startFixture({ faults: true });
});
afterEach(async () => {
  await f.close();
});

describe('with 10 % of requests failing (429, 503, dropped connections)', () => {
  it('a 2,000-object backup and restore loses and corrupts nothing', { timeout: 120_000 }, async () => {
    const objects = vaultLike(2000);
    await seedFast(f.emu.url, VAULT, objects);

    f.emu.faults.set({ p429: 0.1 / 3, p503: 0.1 / 3, pReset: 0.1 / 3 });
    const backup = await createBackup({ store: f.store }, { location: f.loc, concurrency: 32, quiesced: false });
    expect(backup.objects).toBe(2000);
    const summary = (await listBackups(f.store, f.loc))[0]!;
    const plan = await planBackupRestore(f.store, summary, 'restored-vault', { inPlace: false, deleteExtra: false });
    const restored = await applyRestore({ store: f.store }, f.loc, plan, { concurrency: 32 });
    await plan.work.remove();
    expect(restored.restored).toBe(2000);
    const injected = f.emu.log.list().filter((r) => r.fault);
    f.emu.faults.set({});

    // The faults really happened, and every kind of call met some.
    expect(injected.length).toBeGreaterThan(400);
    expect(new Set(injected.map((r) => r.fault))).toEqual(new Set(['429', '503', 'reset']));
    const listed = await listAll(f.store, 'restored-vault');
    expect(listed).toHaveLength(2000);
    const bytes = await contents(
      f.emu.url,
      'restored-vault',
      objects.map((o) => o.name),
    );
    for (const o of objects) expect(bytes.get(o.name)?.equals(o.data), o.name).toBe(true);
    expect(listed.every((o) => o.metadata['vault-entry'] === String(Number(o.name.slice(-5))))).toBe(true);
  });
});
