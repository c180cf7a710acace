import { describe, expect, it } from 'vitest';
import { parseAt, selectBackup } from '../../src/lib/backup/catalog.js';
import type { BackupSummary } from '../../src/lib/backup/manifest.js';
import { selectForPrune } from '../../src/lib/backup/prune.js';

const HOUR = 3_600_000;
const now = new Date('2025-06-10T12:00:00Z');

function backup(id: string, completedAt: string): BackupSummary {
  return {
    id,
    sourceBucket: 's',
    startedAt: completedAt,
    completedAt,
    quiesced: false,
    objects: 1,
    bytes: 1,
    sha256: 'x'.repeat(64),
    manifest: { bucket: 'b', name: id, generation: '1' },
  };
}

const backups = [
  backup('20250610T000000Z-000003', '2025-06-10T00:05:00Z'),
  backup('20250609T120000Z-000002', '2025-06-09T12:05:00Z'),
  backup('20250609T000000Z-000001', '2025-06-09T00:05:00Z'),
];

describe('choosing the backup to restore', () => {
  it('latest is the newest', () => {
    expect(selectBackup(backups, 'latest').id).toBe('20250610T000000Z-000003');
    expect(selectBackup(backups, undefined).id).toBe('20250610T000000Z-000003');
  });

  it('--at picks the newest completed at or before that time', () => {
    expect(selectBackup(backups, undefined, new Date('2025-06-09T12:05:00Z')).id).toBe('20250609T120000Z-000002');
    expect(selectBackup(backups, undefined, new Date('2025-06-09T12:04:59Z')).id).toBe('20250609T000000Z-000001');
  });

  it('a backup still running at that time is not picked: it may hold the damage', () => {
    const running = [backup('20250609T115500Z-000009', '2025-06-09T12:30:00Z'), ...backups.slice(1)];
    expect(selectBackup(running, undefined, new Date('2025-06-09T12:10:00Z')).id).toBe('20250609T120000Z-000002');
  });

  it('says what to do when nothing matches (exit 2)', () => {
    expect(() => selectBackup(backups, undefined, new Date('2025-01-01T00:00:00Z'))).toThrow(
      expect.objectContaining({ exitCode: 2 }),
    );
    expect(() => selectBackup(backups, 'nope')).toThrow(/backup list/);
    expect(() => selectBackup([], 'latest')).toThrow(/backup create/);
    expect(() => selectBackup(backups, '20250609T000000Z-000001', now)).toThrow(/not both/);
  });

  it('--at takes ISO times and durations ago', () => {
    expect(parseAt('3h', now).toISOString()).toBe('2025-06-10T09:00:00.000Z');
    expect(parseAt('2025-06-09T12:00:00Z', now).toISOString()).toBe('2025-06-09T12:00:00.000Z');
    expect(() => parseAt('yesterday', now)).toThrow(expect.objectContaining({ exitCode: 2 }));
  });
});

describe('choosing backups to prune', () => {
  it('--keep N keeps the N newest', () => {
    const s = selectForPrune(backups, { keep: 2 }, now);
    expect(s.remove.map((b) => b.id)).toEqual(['20250609T000000Z-000001']);
  });

  it('--older-than removes older ones but always keeps the newest', () => {
    expect(selectForPrune(backups, { olderThanMs: 24 * HOUR }, now).remove.map((b) => b.id)).toEqual([
      '20250609T000000Z-000001',
    ]);
    expect(selectForPrune(backups, { olderThanMs: 1 }, now).keep.map((b) => b.id)).toEqual(['20250610T000000Z-000003']);
  });

  it('with both, a backup goes only when both say so', () => {
    expect(selectForPrune(backups, { keep: 1, olderThanMs: 40 * HOUR }, now).remove).toEqual([]);
    expect(selectForPrune(backups, { keep: 1, olderThanMs: 30 * HOUR }, now).remove.map((b) => b.id)).toEqual([
      '20250609T000000Z-000001',
    ]);
    expect(selectForPrune(backups, { keep: 2, olderThanMs: 20 * HOUR }, now).remove.map((b) => b.id)).toEqual([
      '20250609T000000Z-000001',
    ]);
  });

  it('needs a policy, and --keep of at least 1', () => {
    expect(() => selectForPrune(backups, {}, now)).toThrow(/--keep/);
    expect(() => selectForPrune(backups, { keep: 0 }, now)).toThrow(expect.objectContaining({ exitCode: 2 }));
  });
});
