import { existsSync } from 'node:fs';
import type { Environment } from './schema.js';

/**
 * An environment as shown to a human or --json: everything but secrets. The MongoDB URI is never
 * read here; we only say where it comes from and whether that source exists.
 */
export function describeEnvironment(env: Environment, processEnv = process.env): Record<string, unknown> {
  const { mongodb, ...rest } = env;
  return {
    ...rest,
    mongodb: mongodb
      ? {
          database: mongodb.database,
          configCollection: mongodb.configCollection,
          keystoreCollections: mongodb.keystoreCollections,
          uri: mongodb.uriEnv
            ? `from $${mongodb.uriEnv} (${processEnv[mongodb.uriEnv] ? 'set' : 'not set'}; value hidden)`
            : `from file ${mongodb.uriFile} (${existsSync(mongodb.uriFile!) ? 'present' : 'missing'}; value hidden)`,
        }
      : undefined,
  };
}
