import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Environment } from '../../config/schema.js';
import { gwctlHome } from '../../home/gwctl-home.js';
import { parseLogUrl } from './log-store.js';

/** Where an environment's shared audit log is, what it is called, and what signs it. */
export interface SharedLogConfig {
  env: string;
  url: string;
  bucket: string;
  prefix: string;
  origin: string;
  signer: { kind: 'file'; keyFile: string } | { kind: 'kms'; keyVersion: string };
  witnesses: string[];
}

/** The environment's `audit` block resolved (paths against gwctl.yaml's folder), or undefined: the local file log. */
export function sharedLogConfig(env: Environment, processEnv = process.env): SharedLogConfig | undefined {
  const a = env.audit;
  if (!a) return undefined;
  const { bucket, prefix } = parseLogUrl(a.log);
  const origin = a.origin ?? `storage.googleapis.com/${bucket}${prefix ? `/${prefix.replace(/\/$/, '')}` : ''}`;
  const base = isAbsolute(env.source) ? dirname(env.source) : process.cwd();
  const signer =
    a.signer && 'kms' in a.signer
      ? { kind: 'kms' as const, keyVersion: a.signer.kms }
      : {
          kind: 'file' as const,
          keyFile: a.signer
            ? resolve(base, a.signer.keyFile)
            : join(gwctlHome(processEnv), 'audit', 'keys', `${env.name}.key`),
        };
  return { env: env.name, url: a.log, bucket, prefix, origin, signer, witnesses: a.witnesses };
}

/** `$GWCTL_HOME/audit/<origin>/<key id>`: what this machine keeps of a log (the last checkpoint it saw). */
export function localLogDir(origin: string, keyId: string, processEnv = process.env): string {
  const safe = origin
    .split('/')
    .map((s) => (s === '' || s === '.' || s === '..' ? '_' : s))
    .join('/');
  return join(gwctlHome(processEnv), 'audit', safe, keyId);
}
