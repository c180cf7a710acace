// Breaks: a capability imports a command, and a type from an SDK outside src/lib/cloud.
import type { Bucket } from '@google-cloud/storage';
import { describeBackup } from '../../commands/backup/create.js';

export const backupPlan = (bucket?: Bucket) => describeBackup(bucket?.name ?? 'vault');
