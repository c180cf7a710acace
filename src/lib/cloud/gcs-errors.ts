import { GwctlError, RuntimeError, UsageError } from '../errors/gwctl-error.js';

/** Another writer changed the resource between our read and our write (HTTP 412). */
export class ConcurrentChangeError extends RuntimeError {
  constructor(message: string) {
    super(message);
    this.name = 'ConcurrentChangeError';
  }
}

export const httpStatusOf = (err: unknown): number | undefined => {
  const e = err as { code?: unknown; status?: unknown; response?: { status?: unknown } };
  for (const v of [e?.code, e?.status, e?.response?.status]) if (typeof v === 'number') return v;
  return undefined;
};

/** Turns a GCS SDK error into one line that says what failed, on what, and what to do next. */
export function gcsError(err: unknown, what: string): GwctlError {
  if (err instanceof GwctlError) return err;
  const status = httpStatusOf(err);
  const reason = ((err as Error)?.message ?? String(err)).split('\n')[0];
  switch (status) {
    case 404:
      return new UsageError(`${what}: not found (check the bucket name or role in gwctl.yaml)`, { cause: err });
    case 403:
      return new RuntimeError(
        `${what}: permission denied (${reason}); the credentials in use need the right Storage IAM role`,
        { cause: err },
      );
    case 401:
      return new RuntimeError(
        `${what}: not authenticated; run \`gcloud auth application-default login\` or set GOOGLE_APPLICATION_CREDENTIALS`,
        { cause: err },
      );
    case 412:
      return new ConcurrentChangeError(
        `${what}: changed by someone else since it was read; nothing was overwritten, re-run to see the new state`,
      );
    default:
      return new RuntimeError(`${what}: ${reason}`, { cause: err });
  }
}
