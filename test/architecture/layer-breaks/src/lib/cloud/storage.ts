// Allowed: cloud is where the SDKs are imported.
import type { Storage } from '@google-cloud/storage';

export type StorageClient = Storage;
