import { EventEmitter } from 'node:events';
import type { Storage } from '@google-cloud/storage';
import type { Environment } from '../config/schema.js';
import { authOptions, impersonatedAuth } from './google-auth.js';
import { refuseRealCloudForSandbox } from './sandbox-guard.js';

/**
 * A Storage client for the environment. The sandbox's emulator (or STORAGE_EMULATOR_HOST) replaces
 * the real endpoint and drops auth; otherwise Application Default Credentials are used, or the service
 * account they impersonate (google-auth.ts).
 * The SDK is loaded here, on first use, so `gwctl --help` never pays for it.
 */
export async function openStorage(env: Environment): Promise<Storage> {
  const emulator = storageEmulator(env);
  if (!emulator) refuseRealCloudForSandbox(env, 'GCS');
  const { Storage } = await import('@google-cloud/storage');
  // The SDK hangs one error/close listener per concurrent download on a shared stream; at our
  // concurrency Node's default of 10 prints a spurious "memory leak" warning to the operator.
  EventEmitter.defaultMaxListeners = Math.max(EventEmitter.defaultMaxListeners, 128);
  return new Storage({
    projectId: env.project,
    ...(emulator ? { apiEndpoint: emulator, useAuthWithCustomEndpoint: false } : await authOptions(env)),
    // One layer of retries per call, with one total deadline: ours (withRetry in buckets.ts and objects.ts).
    // The SDK's own (up to 8 tries with up to 300 s of backoff) would run inside ours and multiply them.
    retryOptions: { autoRetry: false, maxRetries: 0 },
  });
}

const normaliseEndpoint = (host: string) => (/^https?:\/\//.test(host) ? host : `http://${host}`).replace(/\/$/, '');

/** The emulator's endpoint (gwctl.yaml, else STORAGE_EMULATOR_HOST), or undefined for the real service. */
export function storageEmulator(env: Environment): string | undefined {
  const emulator = env.emulators?.storage ?? process.env.STORAGE_EMULATOR_HOST;
  return emulator ? normaliseEndpoint(emulator) : undefined;
}

/** The JSON API root the SDK would use: the emulator's, or the real service's. */
export const jsonApiRoot = (env: Environment) =>
  `${storageEmulator(env) ?? 'https://storage.googleapis.com'}/storage/v1`;

/**
 * Application Default Credentials for calls made without the SDK (an emulator takes none). Loaded on
 * first use; google-auth-library is what the SDK authenticates with, so credentials resolve alike.
 */
export function storageAuth(env: Environment): ((url: string) => Promise<Headers>) | undefined {
  if (storageEmulator(env)) return undefined;
  refuseRealCloudForSandbox(env, 'GCS');
  let auth: Promise<{ getRequestHeaders(url?: string): Promise<Headers> }> | undefined;
  return async (url) => {
    auth ??=
      impersonatedAuth(env) ??
      import('google-auth-library').then(
        ({ GoogleAuth }) =>
          new GoogleAuth({
            projectId: env.project,
            scopes: ['https://www.googleapis.com/auth/devstorage.full_control'],
          }),
      );
    return (await auth).getRequestHeaders(url);
  };
}
