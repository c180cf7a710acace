import { existsSync } from 'node:fs';
import { sharedLogConfig } from '../audit/shared/log-config.js';
import { redact } from '../errors/redact.js';
import type { Environment } from './schema.js';
import { ENV_VAR_NAME, looksLikeUri } from './uri-sources.js';

/**
 * An environment as shown to a human or --json: everything but secrets. The MongoDB URI is never
 * read here; we only say where it comes from and whether that source exists.
 */
export function describeEnvironment(env: Environment, processEnv = process.env): Record<string, unknown> {
  const { mongodb, audit, ...rest } = env;
  return {
    // Paths and URLs the schema let through are still shown redacted, should one hold credentials.
    ...(redactStrings(rest) as typeof rest),
    mongodb: mongodb
      ? {
          database: mongodb.database,
          configCollection: mongodb.configCollection,
          keystoreCollections: mongodb.keystoreCollections,
          uri: uriSource(mongodb, processEnv),
        }
      : undefined,
    audit: audit
      ? describeAudit(env, processEnv)
      : 'local file log (no audit.log: changes are recorded on this machine only)',
  };
}

/** The shared audit log, and which kind of key signs it: a file someone holds, or Cloud KMS, which nobody does. */
function describeAudit(env: Environment, processEnv: NodeJS.ProcessEnv): Record<string, unknown> {
  const c = sharedLogConfig(env, processEnv)!;
  const signer =
    c.signer.kind === 'kms'
      ? `Cloud KMS ${c.signer.keyVersion} (no operator holds the key)`
      : `key file ${c.signer.keyFile} (${existsSync(c.signer.keyFile) ? 'present' : 'created on first use if the log is new'}; whoever holds it can sign checkpoints)`;
  return { log: c.url, origin: c.origin, signer, witnesses: c.witnesses };
}

/** Where the URI comes from. gwctl.yaml's schema refuses a URI in either field; this guards anything else. */
function uriSource(m: NonNullable<Environment['mongodb']>, processEnv: NodeJS.ProcessEnv): string {
  if (m.uriEnv) {
    if (!ENV_VAR_NAME.test(m.uriEnv)) return 'mongodb.uriEnv is not a variable name (value hidden)';
    return `from $${m.uriEnv} (${Object.hasOwn(processEnv, m.uriEnv) && processEnv[m.uriEnv] ? 'set' : 'not set'}; value hidden)`;
  }
  const file = m.uriFile!;
  if (looksLikeUri(file)) return 'mongodb.uriFile holds a URI, not a path (value hidden)';
  return `from file ${file} (${existsSync(file) ? 'present' : 'missing'}; value hidden)`;
}

function redactStrings(value: unknown): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map(redactStrings);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactStrings(v)]));
  return value;
}
