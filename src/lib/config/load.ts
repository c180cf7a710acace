import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { UsageError } from '../errors/gwctl-error.js';
import { sandboxEnvironment } from '../sandbox/environment.js';
import { locateConfig } from './locate.js';
import { configFileSchema, type ConfigFile, type Environment } from './schema.js';

export const SANDBOX_ENV = 'sandbox';

export interface LoadedConfig {
  /** Absolute path of the file read, or undefined when there is none (only `sandbox` exists then). */
  file?: string;
  config: ConfigFile;
}

export function loadConfig(options: { flag?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): LoadedConfig {
  const file = locateConfig(options.flag, options.env, options.cwd);
  if (!file) return { config: { environments: {} } };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`${displayPath(file)}: cannot read the config file (${(err as NodeJS.ErrnoException).code ?? err}); check --config / GWCTL_CONFIG`);
  }
  return { file, config: parseConfig(text, file) };
}

export function parseConfig(text: string, file: string): ConfigFile {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const [line, col] = e.linePos?.[0] ? [e.linePos[0].line, e.linePos[0].col] : [0, 0];
    throw new UsageError(`${displayPath(file)}:${line}:${col}: invalid YAML: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  const raw = doc.toJS() ?? {};
  const parsed = configFileSchema.safeParse(raw);
  if (!parsed.success) throw new UsageError(`${displayPath(file)}: ${describeIssue(parsed.error.issues[0]!, raw)}`);
  if (parsed.data.environments[SANDBOX_ENV]) {
    throw new UsageError(`${displayPath(file)}: environments.${SANDBOX_ENV}: the name is reserved for the local sandbox; pick another name`);
  }
  return parsed.data;
}

/** "environments.prod.buckets.vault: expected a GCS bucket name, got "Bad_Name"" */
function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const path = issue.path.map(String).join('.') || '(top level)';
  const got = valueAt(raw, issue.path);
  const shown = got === undefined ? 'nothing' : JSON.stringify(got)?.slice(0, 60);
  if (issue.code === 'unrecognized_keys') return `${path || '(top level)'}: unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}; check the spelling against the README's configuration reference`;
  if (issue.code === 'invalid_type') return `${path}: expected ${issue.expected}, got ${shown}`;
  return `${path}: expected ${issue.message.replace(/^Invalid string: must match pattern .*$/, 'a valid value')}, got ${shown}`;
}

function valueAt(raw: unknown, path: PropertyKey[]): unknown {
  let v: unknown = raw;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}

/** Every environment, the sandbox included. */
export function environmentNames(loaded: LoadedConfig): string[] {
  return [...Object.keys(loaded.config.environments), SANDBOX_ENV];
}

export function resolveEnvironment(loaded: LoadedConfig, name: string | undefined): Environment {
  const chosen = name ?? loaded.config.defaultEnv ?? process.env.GWCTL_ENV;
  if (!chosen) {
    throw new UsageError(`no environment given: pass --env <name> (one of: ${environmentNames(loaded).join(', ')})`);
  }
  if (chosen === SANDBOX_ENV) return sandboxEnvironment();
  const env = loaded.config.environments[chosen];
  if (!env) {
    const where = loaded.file ? displayPath(loaded.file) : 'no gwctl.yaml found';
    throw new UsageError(`unknown environment "${chosen}" (${where}); known: ${environmentNames(loaded).join(', ')}`);
  }
  return { ...env, name: chosen, source: loaded.file! };
}
