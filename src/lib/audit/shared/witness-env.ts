import type { Environment } from '../../config/schema.js';

/**
 * The environment a witness reaches GCS through when it is given none: Application Default Credentials of the
 * witness's own project (or STORAGE_EMULATOR_HOST). A witness is an independent party: it needs no gwctl.yaml.
 */
export function witnessEnvironment(): Environment {
  return { name: 'witness', source: 'audit witness', project: process.env.GOOGLE_CLOUD_PROJECT ?? '' } as Environment;
}
