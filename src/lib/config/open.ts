import { existsSync } from 'node:fs';
import { gwctlHome } from '../sandbox/paths.js';
import type { LoadedConfig } from './environments.js';
import { readConfigText } from './read.js';

export interface OpenConfigOptions {
  /** The gwctl.yaml found (locateConfig). */
  file: string;
  /** gwctl's version: part of what a cached validation depends on. */
  version: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * Returns how to load gwctl.yaml. If this exact text was validated before by this gwctl, the result comes
 * from the cache (./cache.ts) and yaml and zod are never loaded. Otherwise the parser is loaded now and runs
 * on first use, so a command that reads no config still ignores a broken file, and errors read as ever.
 */
export async function openConfig({
  file,
  version,
  env = process.env,
  cwd = process.cwd(),
}: OpenConfigOptions): Promise<() => LoadedConfig> {
  let text: string;
  try {
    text = readConfigText(file);
  } catch (err) {
    return () => {
      throw err;
    };
  }
  // The cache lives in the state home but never creates it: a read-only command leaves no .gwctl behind.
  const home = gwctlHome(env, cwd);
  const { config: cached, fingerprint } = existsSync(home)
    ? (await import('./cache.js')).lookUpConfig(home, file, text, version)
    : {};
  if (cached) return () => ({ file, config: cached });
  const [{ parseConfig }, cacheWriter] = await Promise.all([
    import('./load.js'),
    fingerprint ? import('./cache-write.js') : undefined,
  ]);
  return () => {
    const config = parseConfig(text, file); // throws on an invalid file, which is thus never cached
    if (cacheWriter && fingerprint) cacheWriter.writeCachedConfig(home, file, text, fingerprint, config);
    return { file, config };
  };
}
