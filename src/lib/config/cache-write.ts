import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { configCachePath, type CacheEntry } from './cache.js';
import type { ConfigFile } from './schema.js';

// Writing the cache (./cache.ts), apart from reading it: only a run that validated the file needs it.

/** Best effort and silent: a config that cannot be cached is validated again next time. */
export function writeCachedConfig(
  home: string,
  file: string,
  text: string,
  fingerprint: string,
  config: ConfigFile,
): void {
  const json = JSON.stringify({ fingerprint, text, config } satisfies CacheEntry);
  // Only what JSON gives back exactly (no Dates, Maps, undefined fields…), should the schema ever produce them.
  if (!isDeepStrictEqual((JSON.parse(json) as CacheEntry).config, config)) return;
  const path = configCachePath(home, file);
  const tmp = `${path}.${process.pid}-${Math.random().toString(36).slice(2)}.tmp`;
  try {
    makeCacheDir(home);
    writeFileSync(tmp, json, { mode: 0o600, flag: 'wx' });
    renameSync(tmp, path); // atomic: a reader sees the old entry or the new one, never half of one
  } catch {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // nothing to clean up, or nothing we can do
    }
  }
}

/** $GWCTL_HOME/cache, but never $GWCTL_HOME itself: caching alone must not leave a .gwctl in every cwd. */
function makeCacheDir(home: string): void {
  try {
    mkdirSync(join(home, 'cache'), { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}
