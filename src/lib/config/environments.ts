import { relative } from 'node:path';
import { UsageError } from '../errors/gwctl-error.js';
import { ENVIRONMENT_NAME, SANDBOX_ENV } from './environment-names.js';
import type { ConfigFile, Environment } from './schema.js';

// The light half of the config API: no yaml, no zod. Parsing gwctl.yaml lives in ./load.ts and is
// loaded only when there is a file to parse (see GwctlCommand.init), so a command without one starts faster.

export interface LoadedConfig {
  /** Absolute path of the file read, or undefined when there is none (only `sandbox` exists then). */
  file?: string;
  config: ConfigFile;
}

/** What there is without a gwctl.yaml: no environments but the built-in sandbox. */
export function noConfig(): LoadedConfig {
  return { config: { environments: {} } };
}

export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}

/** Every environment, the sandbox included. */
export function environmentNames(loaded: LoadedConfig): string[] {
  return [...Object.keys(loaded.config.environments), SANDBOX_ENV];
}

/**
 * The environment named (or the default one). `sandbox` is the built-in one: `sandbox()` gives it, from the
 * running sandbox (src/lib/sandbox), and refuses when none runs.
 */
export function resolveEnvironment(
  loaded: LoadedConfig,
  name: string | undefined,
  sandbox: () => Environment,
): Environment {
  const chosen = name ?? loaded.config.defaultEnv ?? process.env.GWCTL_ENV;
  if (!chosen) {
    throw new UsageError(`no environment given: pass --env <name> (one of: ${environmentNames(loaded).join(', ')})`);
  }
  // Refuses (exit 2) unless the sandbox runs: the one place every `--env sandbox` passes before any client exists.
  if (chosen === SANDBOX_ENV) return sandbox();
  // Own properties only: "toString" or "__proto__" must not find what every object inherits.
  const environments = loaded.config.environments;
  if (!ENVIRONMENT_NAME.test(chosen) || !Object.hasOwn(environments, chosen)) {
    const where = loaded.file ? displayPath(loaded.file) : 'no gwctl.yaml found';
    throw new UsageError(
      `unknown environment ${JSON.stringify(chosen)} (${where}); known: ${environmentNames(loaded).join(', ')}`,
    );
  }
  return { ...environments[chosen]!, name: chosen, source: loaded.file! };
}
