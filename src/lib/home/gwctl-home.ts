import { resolve } from 'node:path';

/** Where gwctl keeps its files on this machine (audit log, journals, the sandbox): `$GWCTL_HOME`, else `.gwctl` under the cwd. */
export function gwctlHome(env = process.env, cwd = process.cwd()): string {
  return env.GWCTL_HOME ? resolve(cwd, env.GWCTL_HOME) : resolve(cwd, '.gwctl');
}
