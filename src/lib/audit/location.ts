import { dirname, resolve } from 'node:path';
import type { LoadedConfig } from '../config/environments.js';
import { gwctlHome } from '../home/gwctl-home.js';

/** gwctl.yaml's `audit.file` (relative to the yaml), else GWCTL_AUDIT_LOG, else `$GWCTL_HOME/audit.jsonl`. */
export function auditLogPath(loaded: LoadedConfig, env = process.env): string {
  const configured = loaded.config.audit?.file;
  if (configured && loaded.file) return resolve(dirname(loaded.file), configured);
  if (env.GWCTL_AUDIT_LOG) return resolve(env.GWCTL_AUDIT_LOG);
  return resolve(gwctlHome(env), 'audit.jsonl');
}

/** `$GWCTL_HOME/runs`: the progress files of changes being applied on this machine. */
export const runProgressDir = (env = process.env) => resolve(gwctlHome(env), 'runs');
