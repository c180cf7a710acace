import { execFileSync } from 'node:child_process';
import { fstatSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listBackups } from '../../src/lib/backup/catalog.js';
import { createBackup, listSource } from '../../src/lib/backup/create.js';
import { SpillFile } from '../../src/lib/backup/spill-file.js';
import type { ObjectStore } from '../../src/lib/cloud/object-store.js';
import { memoryFixture, vaultLike, type MemoryFixture } from './harness.js';

// A backup of a million objects keeps their manifest lines in a temporary file, which may hold what the
// bucket's objects say about themselves: only this process may read it, and nothing of it outlives the run.
let tmp: string;
let savedTmpdir: string | undefined;
beforeEach(() => {
  savedTmpdir = process.env.TMPDIR;
  tmp = mkdtempSync(join(tmpdir(), 'spill-test-'));
  process.env.TMPDIR = tmp; // os.tmpdir() reads it on each call
});
afterEach(() => {
  if (savedTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmpdir;
  rmSync(tmp, { recursive: true, force: true });
});

/** This process's open descriptors onto spill files (Linux: a removed file's link ends in "(deleted)"). */
function openSpills(prefix = 'gwctl-'): string[] {
  const found: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(tmp) && target.includes(prefix)) found.push(target);
    } catch {
      // closed between the listing and the read
    }
  }
  return found;
}

describe('spill files', () => {
  it('are readable by this user alone, have no name from the moment they exist, and are gone once closed', () => {
    const spill = new SpillFile('gwctl-listing-');
    expect(fstatSync(spill.descriptor!).mode & 0o777).toBe(0o600);
    expect(readdirSync(tmp)).toEqual([]); // neither the file nor its directory: a kill -9 leaves nothing
    expect(openSpills()).toEqual([expect.stringMatching(/gwctl-listing-.*\(deleted\)$/)]);
    const a = spill.append(Buffer.from('first line\n'));
    const b = spill.append(Buffer.from('second line'));
    expect(spill.read(b, 11).toString()).toBe('second line');
    expect(spill.read(a, 10).toString()).toBe('first line');
    spill.close();
    expect(openSpills()).toEqual([]);
    expect(() => spill.read(a, 10)).toThrow(/closed/);
  });

  it('a backup closes the spill file of its listing when done', async () => {
    const m: MemoryFixture = await memoryFixture();
    await m.seed(vaultLike(2_500));
    const r = await createBackup({ store: m.store }, { location: m.loc, concurrency: 4, quiesced: false });
    expect(r.objects).toBe(2_500);
    expect((await listBackups(m.store, m.loc)).map((b) => b.id)).toEqual([r.id]);
    expect(openSpills()).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('a listing that fails midway closes its spill file before the error reaches the caller', async () => {
    const m = await memoryFixture();
    await m.seed(vaultLike(2_500));
    let pages = 0;
    // The second page of the source's listing fails (a connection cut after its retries, say). The delimiter
    // listing answers an empty page with a token, as GCS may ("the next page may be empty"), so the bucket is
    // listed page by page.
    const failing = new Proxy(m.store, {
      get(target, prop) {
        if (prop === 'listDirectory') return async () => ({ objects: [], prefixes: [], truncated: true });
        if (prop !== 'list') return (Reflect.get(target, prop, target) as (...a: unknown[]) => unknown).bind(target);
        return async function* (...args: Parameters<ObjectStore['list']>) {
          for await (const page of target.list(...args)) {
            if (++pages === 2) throw new Error('connection reset');
            yield page;
          }
        };
      },
    });
    await expect(listSource(failing, m.loc)).rejects.toThrow('connection reset');
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(openSpills()).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
  });
});

describe('a spill file that cannot be opened', () => {
  it('fails with the real cause (EMFILE, out of descriptors), not the ENOENT of its clean-up, and leaves no directory', () => {
    // A child with a low descriptor limit (ulimit -n) that uses them all up, then asks for a spill file.
    const script = [
      "import { openSync } from 'node:fs';",
      `const { SpillFile } = await import(${JSON.stringify(new URL('../../src/lib/backup/spill-file.ts', import.meta.url).pathname)});`,
      "try { for (;;) openSync('/dev/null', 'r'); } catch {}",
      'try { new SpillFile(); } catch (err) { process.stdout.write(String(err.code)); }',
    ].join('\n');
    const tsx = new URL('../../node_modules/.bin/tsx', import.meta.url).pathname;
    const out = execFileSync('sh', ['-c', `ulimit -n 64 && exec "$0" --input-type=module -e "$1"`, tsx, script], {
      env: { ...process.env, TMPDIR: tmp },
      encoding: 'utf8',
    });
    expect(out).toBe('EMFILE');
    expect(readdirSync(tmp).filter((n) => n.startsWith('gwctl-'))).toEqual([]);
  });
});
