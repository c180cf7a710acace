import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = fileURLToPath(new URL('./layer-breaks', import.meta.url));

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
  cycle?: { name: string }[];
}

/** What `npm run lint` runs on src/ (dependency-cruiser with the project's rules), here on a tree of deliberate breaks. */
async function violationsIn(dir: string): Promise<Violation[]> {
  const cli = `${root}node_modules/dependency-cruiser/bin/dependency-cruiser.mjs`;
  const args = [cli, '--config', `${root}.dependency-cruiser.mjs`, '--output-type', 'json', 'src', 'packages'];
  // Exit code 1 means violations were found: the report is on stdout either way.
  const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: dir, maxBuffer: 16 << 20 }).catch(
    (err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }),
  );
  return (JSON.parse(stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

describe('the layer rules in npm run lint', () => {
  it('reject each deliberate break, and nothing the layers allow', async () => {
    const violations = await violationsIn(fixture);
    const found = violations.filter((v) => v.rule.name !== 'no-circular').map((v) => `${v.rule.name}: ${v.from}`);
    expect(found.sort()).toEqual(
      [
        // A core module (config) importing a capability: the sandbox's gwctlHome once lived there.
        'core-imports-no-layer-above: src/lib/config/reads-sandbox.ts',
        'cloud-imports-no-capability: src/lib/cloud/uses-backup.ts',
        'capability-imports-no-command: src/lib/backup/plan.ts',
        // A type from an SDK counts: Kubernetes types once leaked into keyev this way.
        'sdk-only-in-cloud: src/lib/backup/plan.ts',
        'emulators-only-in-sandbox: src/commands/backup/create.ts',
        'emulators-import-no-product-code: packages/emulators/src/gcs/uses-product.ts',
      ].sort(),
    );
    // Type-only imports make a cycle too (tsPreCompilationDeps); it is reported from one of its modules.
    const cycles = violations.filter((v) => v.rule.name === 'no-circular');
    expect(cycles.length).toBeGreaterThan(0);
    for (const c of cycles) expect(['src/lib/backup/entries.ts', 'src/lib/backup/manifest.ts']).toContain(c.from);
  });
});
