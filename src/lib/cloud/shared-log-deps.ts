import type { SharedLogDeps } from '../audit/shared/open-shared-log.js';
import type { SharedLogConfig } from '../audit/shared/log-config.js';
import type { Environment } from '../config/schema.js';
import { openKmsEd25519 } from './kms.js';
import { GcsLogStore } from './log-bucket.js';

/** The shared audit log's bucket and Cloud KMS, for the environment (its emulators in the sandbox and tests). */
export function sharedLogDeps(env: Environment, config: Pick<SharedLogConfig, 'bucket' | 'prefix'>): SharedLogDeps {
  return {
    store: new GcsLogStore(env, config.bucket, config.prefix),
    kms: (keyVersion) => openKmsEd25519(env, keyVersion),
  };
}
