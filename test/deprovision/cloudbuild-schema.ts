import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import protobuf from 'protobufjs';

/**
 * Problems a build config would be refused for, checked against Cloud Build's own schema: a config file is the
 * `Build` resource (https://cloud.google.com/build/docs/build-config-file-schema), whose message is in the
 * `cloudbuild.proto` the `@google-cloud/cloudbuild` client bundles. Field names, types, enum values and Duration
 * strings come from there; the rules the page states in prose are checked by hand:
 * - `script` excludes `args` and `entrypoint` (https://cloud.google.com/build/docs/configuring-builds/run-bash-scripts);
 * - every `secretEnv` is defined by `availableSecrets` (build-config-file-schema#secretenv);
 * - a user-specified `serviceAccount` needs `logsBucket` or `options.logging` CLOUD_LOGGING_ONLY/NONE
 *   (https://cloud.google.com/build/docs/securing-builds/configure-user-specified-service-accounts);
 * - outside `script`, `$NAME` is a substitution: only built-in ones or `$$` (https://cloud.google.com/build/docs/configuring-builds/substitute-variable-values).
 */
export function cloudBuildConfigProblems(config: unknown): string[] {
  const problems: string[] = [];
  checkMessage(config, buildType(), 'build', problems);
  const c = config as {
    steps?: {
      name?: string;
      script?: string;
      args?: string[];
      entrypoint?: string;
      secretEnv?: string[];
      env?: string[];
    }[];
    availableSecrets?: { secretManager?: { env?: string }[] };
    serviceAccount?: string;
    logsBucket?: string;
    options?: { logging?: string };
  };
  const secrets = new Set((c.availableSecrets?.secretManager ?? []).map((s) => s.env));
  for (const [i, step] of (c.steps ?? []).entries()) {
    if (!step.name) problems.push(`steps[${i}].name is required`);
    if (step.script && (step.args || step.entrypoint))
      problems.push(`steps[${i}]: script cannot be used with args or entrypoint`);
    for (const s of step.secretEnv ?? [])
      if (!secrets.has(s)) problems.push(`steps[${i}].secretEnv ${s} is not defined in availableSecrets`);
    for (const [field, values] of [
      ['args', step.args ?? []],
      ['env', step.env ?? []],
    ] as const)
      for (const v of values)
        for (const m of v.replaceAll('$$', '').matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g))
          if (!BUILT_IN_SUBSTITUTIONS.has(m[1]!))
            problems.push(`steps[${i}].${field}: $${m[1]} is not a built-in substitution (write $$ for a literal $)`);
  }
  if (c.serviceAccount && !c.logsBucket && !['CLOUD_LOGGING_ONLY', 'NONE'].includes(c.options?.logging ?? ''))
    problems.push('serviceAccount needs logsBucket, or options.logging CLOUD_LOGGING_ONLY or NONE');
  return problems;
}

const BUILT_IN_SUBSTITUTIONS = new Set([
  'PROJECT_ID',
  'PROJECT_NUMBER',
  'LOCATION',
  'BUILD_ID',
  'TRIGGER_NAME',
  'COMMIT_SHA',
  'SHORT_SHA',
  'REVISION_ID',
  'REPO_NAME',
  'REPO_FULL_NAME',
  'BRANCH_NAME',
  'TAG_NAME',
  'REF_NAME',
  'TRIGGER_BUILD_CONFIG_PATH',
  'SERVICE_ACCOUNT_EMAIL',
  'SERVICE_ACCOUNT',
]);

function buildType(): protobuf.Type {
  const require = createRequire(import.meta.url);
  const json = JSON.parse(readFileSync(require.resolve('@google-cloud/cloudbuild/build/protos/protos.json'), 'utf8'));
  return protobuf.Root.fromJSON(json).lookupType('google.devtools.cloudbuild.v1.Build');
}

function checkMessage(value: unknown, type: protobuf.Type, path: string, problems: string[]): void {
  if (type.fullName === '.google.protobuf.Duration') {
    if (typeof value !== 'string' || !/^\d+(\.\d{1,9})?s$/.test(value))
      problems.push(`${path}: a Duration is a string like "3600s", got ${JSON.stringify(value)}`);
    return;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`${path}: expected an object (${type.name})`);
    return;
  }
  for (const [key, v] of Object.entries(value)) {
    const field = type.fields[key];
    if (!field) {
      problems.push(`${path}.${key}: no such field in ${type.name}`);
      continue;
    }
    field.resolve();
    const check = (item: unknown, at: string) => checkValue(item, field, at, problems);
    if (field.repeated) {
      if (!Array.isArray(v)) problems.push(`${path}.${key}: expected a list`);
      else v.forEach((item, i) => check(item, `${path}.${key}[${i}]`));
    } else check(v, `${path}.${key}`);
  }
}

function checkValue(v: unknown, field: protobuf.Field, path: string, problems: string[]): void {
  const t = field.resolvedType;
  if (t instanceof protobuf.Type) return checkMessage(v, t, path, problems);
  if (t instanceof protobuf.Enum) {
    if (typeof v !== 'string' || !(v in t.values)) problems.push(`${path}: ${JSON.stringify(v)} is not a ${t.name}`);
    return;
  }
  const ok =
    field.type === 'string'
      ? typeof v === 'string'
      : field.type === 'bool'
        ? typeof v === 'boolean'
        : typeof v === 'number' || (typeof v === 'string' && /^-?\d+$/.test(v));
  if (!ok) problems.push(`${path}: expected ${field.type}, got ${JSON.stringify(v)}`);
}
