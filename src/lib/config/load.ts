import { parseDocument } from 'yaml';
import type * as z from 'zod/mini';
import { UsageError } from '../errors/gwctl-error.js';
import { ENVIRONMENT_NAME, ENVIRONMENT_NAME_RULE, SANDBOX_ENV } from './environment-names.js';
import { displayPath, noConfig, type LoadedConfig } from './environments.js';
import { locateConfig } from './locate.js';
import { readConfigText } from './read.js';
import { configFileSchema, type ConfigFile } from './schema.js';

// Reading and validating gwctl.yaml: yaml and zod, the heavy half of the config API. Commands reach it
// through openConfig (./open.ts), which loads this module only when there is a file to read. The build
// bundles it with yaml and zod (scripts/bundle-config-parser.js) so that loading it is cheap.

export function loadConfig(options: { flag?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): LoadedConfig {
  const file = locateConfig(options.flag, options.env, options.cwd);
  if (!file) return noConfig();
  return { file, config: parseConfig(readConfigText(file), file) };
}

export function parseConfig(text: string, file: string): ConfigFile {
  const where = displayPath(file);
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const [line, col] = e.linePos?.[0] ? [e.linePos[0].line, e.linePos[0].col] : [0, 0];
    throw new UsageError(
      `${where}:${line}:${col}: invalid YAML: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
    );
  }
  const raw = toPlainValue(doc, where);
  checkEnvironmentNames(raw, where);
  const parsed = configFileSchema.safeParse(raw);
  if (!parsed.success) throw new UsageError(`${where}: ${describeIssue(parsed.error.issues[0]!, raw)}`);
  if (Object.hasOwn(parsed.data.environments, SANDBOX_ENV)) {
    throw new UsageError(
      `${where}: environments.${SANDBOX_ENV}: the name is reserved for the local sandbox; pick another name`,
    );
  }
  return parsed.data;
}

/** The document as plain values; an alias bomb ("billion laughs") stops here, with the file named. */
function toPlainValue(doc: ReturnType<typeof parseDocument>, where: string): unknown {
  try {
    return doc.toJS() ?? {};
  } catch (err) {
    const reason = (err as Error).message ?? String(err);
    throw new UsageError(
      /alias/i.test(reason)
        ? `${where}: invalid YAML: its aliases (*name) expand too far, as a resource-exhaustion ("billion laughs") document does; write the values out instead`
        : `${where}: invalid YAML: ${reason.split('\n')[0]}`,
    );
  }
}

/**
 * Every key under `environments` is a valid name, checked on the document's own keys: the schema's
 * record would silently drop `__proto__` (YAML gives it as an own key; an object literal cannot hold one).
 */
function checkEnvironmentNames(raw: unknown, where: string): void {
  const envs = isObject(raw) && Object.hasOwn(raw, 'environments') ? raw.environments : undefined;
  if (!isObject(envs) || Array.isArray(envs)) return; // the schema says what is wrong
  for (const name of Object.keys(envs)) {
    if (!ENVIRONMENT_NAME.test(name)) throw new UsageError(`${where}: ${badEnvironmentName(name)}`);
  }
}

function badEnvironmentName(name: string): string {
  return `environments: ${JSON.stringify(name.length > 70 ? `${name.slice(0, 70)}…` : name)} is not a valid name: an environment name is ${ENVIRONMENT_NAME_RULE}, such as prod or staging-eu`;
}

/** "environments.prod.buckets.vault: expected a GCS bucket name, got "Bad_Name"" */
function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const path = issue.path.map(String).join('.') || '(top level)';
  if (issue.code === 'unrecognized_keys')
    return `${path}: unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}; check the spelling against the README's configuration reference`;
  if (issue.code === 'invalid_key' && issue.path[0] === 'environments')
    return badEnvironmentName(String(issue.path[issue.path.length - 1]));
  if (issue.code === 'custom') return `${path}: ${issue.message}`;
  const got = valueAt(raw, issue.path);
  // Whatever sits under mongodb is a secret's name or path, or a secret put there by mistake: never echoed.
  const shown = issue.path.includes('mongodb')
    ? 'a value not shown'
    : got === undefined
      ? 'nothing'
      : JSON.stringify(got)?.slice(0, 60);
  if (issue.code === 'invalid_type') return `${path}: expected ${issue.expected}, got ${shown}`;
  return `${path}: expected ${issue.message.replace(/^Invalid string: must match pattern .*$/, 'a valid value')}, got ${shown}`;
}

function valueAt(raw: unknown, path: PropertyKey[]): unknown {
  let v: unknown = raw;
  for (const key of path) {
    if (!isObject(v) || !Object.hasOwn(v, key)) return undefined;
    v = v[key as string];
  }
  return v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object';
}
