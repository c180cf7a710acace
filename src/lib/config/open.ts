import type { LoadedConfig } from './environments.js';
import { readConfigText } from './read.js';

/**
 * Returns how to load gwctl.yaml: the parser is loaded now and runs on first use, so a command that reads
 * no config still ignores a broken file. Every run validates the file as it is: nothing is cached.
 */
export async function openConfig(file: string): Promise<() => LoadedConfig> {
  const { parseConfig } = await import('./load.js');
  return () => ({ file, config: parseConfig(readConfigText(file), file) });
}
