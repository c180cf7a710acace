import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const CONFIG_FILE_NAMES = ['gwctl.yaml', 'gwctl.yml'];

/** `--config`, then `GWCTL_CONFIG`, then the nearest gwctl.yaml up from the cwd (like git finds .git). */
export function locateConfig(flag: string | undefined, env = process.env, cwd = process.cwd()): string | undefined {
  if (flag) return resolve(cwd, flag);
  if (env.GWCTL_CONFIG) return resolve(cwd, env.GWCTL_CONFIG);
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
    if (dirname(dir) === dir) return undefined;
  }
}
