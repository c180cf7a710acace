import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { UsageError } from '../errors/gwctl-error.js';
import { displayPath, noConfig, SANDBOX_ENV, type LoadedConfig } from './environments.js';
import { locateConfig } from './locate.js';
import { readConfigText } from './read.js';
import { configFileSchema, type ConfigFile } from './schema.js';

// Reading and validating gwctl.yaml: yaml and zod, the heavy half of the config API. Commands reach it
// through openConfig (./open.ts), which loads this module only when there is a file to read that was not
// validated before (./cache.ts).

export function loadConfig(options: { flag?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): LoadedConfig {
  const file = locateConfig(options.flag, options.env, options.cwd);
  if (!file) return noConfig();
  return { file, config: parseConfig(readConfigText(file), file) };
}

export function parseConfig(text: string, file: string): ConfigFile {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const [line, col] = e.linePos?.[0] ? [e.linePos[0].line, e.linePos[0].col] : [0, 0];
    throw new UsageError(
      `${displayPath(file)}:${line}:${col}: invalid YAML: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
    );
  }
  const raw = doc.toJS() ?? {};
  const parsed = configFileSchema.safeParse(raw);
  if (!parsed.success) throw new UsageError(`${displayPath(file)}: ${describeIssue(parsed.error.issues[0]!, raw)}`);
  if (parsed.data.environments[SANDBOX_ENV]) {
    throw new UsageError(
      `${displayPath(file)}: environments.${SANDBOX_ENV}: the name is reserved for the local sandbox; pick another name`,
    );
  }
  return parsed.data;
}

/** "environments.prod.buckets.vault: expected a GCS bucket name, got "Bad_Name"" */
function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const path = issue.path.map(String).join('.') || '(top level)';
  const got = valueAt(raw, issue.path);
  const shown = got === undefined ? 'nothing' : JSON.stringify(got)?.slice(0, 60);
  if (issue.code === 'unrecognized_keys')
    return `${path || '(top level)'}: unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}; check the spelling against the README's configuration reference`;
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
