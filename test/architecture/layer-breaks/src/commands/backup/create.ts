// Break: product code outside src/lib/sandbox imports the emulators.
import { isMutating } from '@gwctl/emulators/common';

export const describeBackup = (bucket: string) => `back up ${bucket}`;
export const changesState = isMutating;
