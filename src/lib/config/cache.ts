import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parserFingerprint, quickHash } from './fingerprint.js';
import type { ConfigFile } from './schema.js';

// The validated gwctl.yaml, kept under $GWCTL_HOME/cache so that the next run on the same text skips yaml
// and zod (tens of ms of startup). One entry per config file, replaced when the file changes. An entry holds
// the full text it was validated from (compared in full, so a hit is exactly that text) and nothing the file
// does not; it is 0600 in a 0700 directory all the same. Any doubt reads as a miss. Written by ./cache-write.ts.

export interface CacheEntry {
  fingerprint: string;
  text: string;
  config: ConfigFile;
}

export function configCachePath(home: string, file: string): string {
  return join(home, 'cache', `config-${quickHash(file).toString(36)}.json`);
}

/**
 * The config validated from exactly `text` by this parser, if cached; and the parser's fingerprint, to
 * cache what it validates next (none if the parser cannot be identified: then nothing is cached).
 */
export function lookUpConfig(
  home: string,
  file: string,
  text: string,
  gwctlVersion: string,
): { config?: ConfigFile; fingerprint?: string } {
  let fingerprint: string;
  try {
    fingerprint = parserFingerprint(gwctlVersion);
  } catch {
    return {};
  }
  return { config: readCachedConfig(home, file, text, fingerprint), fingerprint };
}

function readCachedConfig(home: string, file: string, text: string, fingerprint: string): ConfigFile | undefined {
  try {
    const fd = openSync(configCachePath(home, file), 'r');
    try {
      // Only a file of ours that no one else can write: another user must not be able to plant a config.
      const st = fstatSync(fd);
      if (!st.isFile() || (st.mode & 0o077) !== 0 || (process.getuid && st.uid !== process.getuid())) return undefined;
      const entry = JSON.parse(readFileSync(fd, 'utf8')) as Partial<CacheEntry> | null;
      if (entry?.fingerprint !== fingerprint || entry.text !== text) return undefined;
      return typeof entry.config === 'object' && entry.config !== null ? entry.config : undefined;
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}
