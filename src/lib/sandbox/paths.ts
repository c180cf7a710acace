import { join } from 'node:path';
import { gwctlHome } from '../home/gwctl-home.js';

/** Where the sandbox keeps its state: `$GWCTL_HOME/sandbox`, else `.gwctl/sandbox` under the cwd. */
export function sandboxDir(env = process.env, cwd = process.cwd()): string {
  return join(gwctlHome(env, cwd), 'sandbox');
}

export const sandboxFiles = (dir: string) => ({
  state: join(dir, 'state.json'),
  lock: join(dir, 'sandbox.lock'),
  requests: join(dir, 'requests.jsonl'),
  log: join(dir, 'sandbox.log'),
  mongoUri: join(dir, 'mongodb-uri'),
  ca: join(dir, 'ca.pem'),
  tfvars: join(dir, 'terraform', 'sandbox.tfvars'),
  /** The code the sandbox is built from, for `verify infra`. */
  manifests: join(dir, 'infra', 'manifests', 'gateway.yaml'),
  terraformState: join(dir, 'infra', 'terraform-state.json'),
  data: join(dir, 'data'),
  /** Written when seeding has finished: data without it is half-seeded. */
  seeded: join(dir, 'data', '.seeded'),
  /** The sandbox audit log's signing key (created on first use). */
  auditKey: join(dir, 'data', 'audit-signer.key'),
});
