import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { redact } from '../../src/lib/errors/redact.js';
import { runGwctl, tempDir } from '../helpers/cli.js';

describe('gwctl --help', () => {
  it('lists the topics', async () => {
    const r = await runGwctl(['--help'], { cwd: tempDir() });
    expect(r.code).toBe(0);
    for (const topic of ['audit', 'env']) expect(r.stdout).toMatch(new RegExp(`^\\s+${topic}\\s`, 'm'));
  });

  it('gives every command examples', () => {
    const manifest = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../oclif.manifest.json'), 'utf8'));
    const commands = Object.values(manifest.commands) as { id: string; examples?: string[] }[];
    expect(commands.length).toBeGreaterThan(3);
    for (const c of commands) expect(c.examples?.length ?? 0, `${c.id} has examples`).toBeGreaterThan(0);
  });

  it('every command has --json and --env', () => {
    const manifest = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../oclif.manifest.json'), 'utf8'));
    for (const c of Object.values(manifest.commands) as { id: string; flags: Record<string, unknown> }[]) {
      expect(Object.keys(c.flags), c.id).toEqual(expect.arrayContaining(['json', 'env']));
    }
  });
});

describe('secrets', () => {
  it('are stripped from anything printed', () => {
    expect(redact('cannot reach mongodb://admin:hunter2@db.internal:27017/x')).toBe(
      'cannot reach mongodb://***@db.internal:27017/x',
    );
    expect(redact('Authorization: Bearer ya29.abc')).not.toContain('ya29.abc');
  });
});
