import { Storage, type StorageOptions } from '@google-cloud/storage';

/**
 * A real `@google-cloud/storage` client pointed at a GCS emulator (e.g. `startGcsEmulator().url`).
 *
 * - No credentials: with an `apiEndpoint` outside googleapis.com the library skips authentication
 *   unless `useAuthWithCustomEndpoint` is true, so nothing looks for ADC or a metadata server.
 * - `projectId` is given so the library never tries to discover one.
 * - Retries follow the library's own policy (which errors, which operations), but back off for
 *   at most 1 s instead of 64 s. (Not less: the library's async-retry uses a fixed 1 s minimum and
 *   throws "minTimeout is greater than maxTimeout" below it.) Fault tests run operations in parallel.
 *
 * `STORAGE_EMULATOR_HOST=http://127.0.0.1:<port>` also works (the emulator accepts the shorter
 * JSON API paths the library then uses), but if it is set it overrides `apiEndpoint` for JSON API
 * calls, so leave it unset when using this helper.
 */
export function gcsClient(apiEndpoint: string, options: StorageOptions = {}): Storage {
  return new Storage({
    apiEndpoint,
    projectId: 'test',
    useAuthWithCustomEndpoint: false,
    ...options,
    retryOptions: { maxRetryDelay: 1, ...options.retryOptions },
  });
}

/** What an SDK call rejected with (its `code` and reasons), or undefined when it worked. */
export const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: { code?: number; errors?: { reason?: string }[] }) => e,
  );
