import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Environment } from '../config/schema.js';
import { UsageError } from '../errors/gwctl-error.js';

/**
 * Where the code is: `--manifests` / `--terraform-state` (relative to the current directory), else
 * gwctl.yaml's `infra.manifests` / `infra.terraformState` (relative to the gwctl.yaml naming them).
 */
export function infraPaths(
  env: Environment,
  flags: { manifests?: string; terraformState?: string },
): { manifests?: string; terraformState?: string } {
  const base = isAbsolute(env.source) && existsSync(env.source) ? dirname(env.source) : process.cwd();
  const fromConfig = (p: string | undefined) => (p ? resolve(base, p) : undefined);
  const manifests = flags.manifests ? resolve(flags.manifests) : fromConfig(env.infra?.manifests);
  const terraformState = flags.terraformState ? resolve(flags.terraformState) : fromConfig(env.infra?.terraformState);
  if (!manifests && !terraformState)
    throw new UsageError(
      `nothing to verify for ${env.name}: pass --manifests and/or --terraform-state, or set infra.manifests / infra.terraformState for ${env.name} in gwctl.yaml`,
    );
  return { ...(manifests ? { manifests } : {}), ...(terraformState ? { terraformState } : {}) };
}
