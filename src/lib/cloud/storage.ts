import { EventEmitter } from 'node:events';
import type { Storage } from '@google-cloud/storage';
import type { Environment } from '../config/schema.js';

/**
 * A Storage client for the environment. The sandbox's emulator (or STORAGE_EMULATOR_HOST) replaces
 * the real endpoint and drops auth; otherwise Application Default Credentials are used.
 * The SDK is loaded here, on first use, so `gwctl --help` never pays for it.
 */
export async function openStorage(env: Environment): Promise<Storage> {
  const { Storage } = await import('@google-cloud/storage');
  // The SDK hangs one error/close listener per concurrent download on a shared stream; at our
  // concurrency Node's default of 10 prints a spurious "memory leak" warning to the operator.
  EventEmitter.defaultMaxListeners = Math.max(EventEmitter.defaultMaxListeners, 128);
  const emulator = env.emulators?.storage ?? process.env.STORAGE_EMULATOR_HOST;
  return new Storage({
    projectId: env.project,
    ...(emulator ? { apiEndpoint: normaliseEndpoint(emulator), useAuthWithCustomEndpoint: false } : {}),
    retryOptions: {
      autoRetry: true,
      maxRetries: 8,
      retryDelayMultiplier: 2,
      // Keep backoff short: the operator is waiting, and 429s clear quickly.
      totalTimeout: 300,
      maxRetryDelay: 8,
    },
  });
}

const normaliseEndpoint = (host: string) => (/^https?:\/\//.test(host) ? host : `http://${host}`).replace(/\/$/, '');
