import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FirestoreTarget, MongoTarget } from '@gwctl/emulators/testing';
import { runGwctl, tempDir, type CliResult } from './cli.js';

export interface MigrateWorkspace {
  dir: string;
  /** `gwctl <args> --env emu` as an operator runs it there (the MongoDB URI in `$GWCTL_TEST_MONGODB_URI`). */
  gwctl(args: string[], opts?: { uri?: string; env?: NodeJS.ProcessEnv }): Promise<CliResult>;
}

/** A directory whose gwctl.yaml has an `emu` environment on these emulators, auditing to `./audit.jsonl`. */
export function migrateWorkspace(mongo: MongoTarget, fs: FirestoreTarget, prefix = 'gwctl-migrate-'): MigrateWorkspace {
  const dir = tempDir(prefix);
  writeFileSync(
    join(dir, 'gwctl.yaml'),
    [
      'audit:',
      '  file: ./audit.jsonl',
      'environments:',
      '  emu:',
      `    project: ${fs.projectId}`,
      '    mongodb:',
      '      uriEnv: GWCTL_TEST_MONGODB_URI',
      `      database: ${mongo.database}`,
      '    emulators:',
      `      firestore: ${fs.host}`,
      '',
    ].join('\n'),
  );
  return {
    dir,
    gwctl: (args, opts = {}) =>
      runGwctl([...args, '--env', 'emu'], {
        cwd: dir,
        env: { GWCTL_TEST_MONGODB_URI: opts.uri ?? mongo.uri, FIRESTORE_EMULATOR_HOST: '', ...opts.env },
      }),
  };
}
