import { createHash } from 'node:crypto';

/**
 * What a seeded sandbox holds: a small but realistic gateway. Deterministic (no randomness),
 * so two sandboxes seeded from scratch are identical and tests can rely on counts.
 */
export const SEED = {
  namespace: 'default',
  deployments: [
    'public-gateway-poweb',
    'public-gateway-pohttp',
    'public-gateway-cogrpc',
    'public-gateway-pdcout',
    'public-gateway-crcin',
  ],
  parcelObjects: 120,
  vaultObjects: 300,
  privateAddress: '0deadbeef0123456789abcdef0123456789abcdef0123456789abcdef012345',
};

/** Bytes that look like (but are not) a Vault-encrypted entry, keyed by name. */
export function vaultEntry(name: string): Buffer {
  const seed = createHash('sha256').update(name).digest();
  return Buffer.concat([Buffer.from(`vault:v1:`), seed, Buffer.alloc(64 + (seed[0]! % 200), seed[1])]);
}

/** Vault's GCS backend layout: logical paths with `_` prefixed leaf files. */
export function vaultObjectNames(count = SEED.vaultObjects): string[] {
  const names = ['core/_keyring', 'core/_master', 'core/_seal-config', 'core/_mounts', 'core/_auth', 'core/_audit'];
  for (let i = 0; names.length < count; i++) {
    const area = [
      'logical/7f1c2a',
      'sys/token/id',
      'sys/expire/id/auth/kubernetes/login',
      'logical/a29e01/gateway-keys',
    ][i % 4];
    names.push(`${area}/_h${createHash('sha1').update(String(i)).digest('hex').slice(0, 24)}`);
  }
  return names;
}

/** Parcels waiting for collection, as the gateway stores them. */
export function parcelObjectNames(count = SEED.parcelObjects): string[] {
  return Array.from({ length: count }, (_, i) => {
    const peer = createHash('sha1')
      .update(`peer-${i % 7}`)
      .digest('hex');
    const id = createHash('sha1').update(`parcel-${i}`).digest('hex');
    return `parcels/gateway-bound/${SEED.privateAddress}/${peer}/${id}`;
  });
}

export const TFVARS = `# Terraform variables for the sandbox gateway (rehearsal copy).
project_id = "gwctl-sandbox"
region     = "local"

# Refuse \`terraform destroy\` while true.
prevent_destruction = true
`;
