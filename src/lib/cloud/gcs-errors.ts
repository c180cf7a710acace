import { GwctlError, RuntimeError, UsageError } from '../errors/gwctl-error.js';

/** Another writer changed the resource between our read and our write (HTTP 412). */
export class ConcurrentChangeError extends RuntimeError {
  constructor(message: string) {
    super(message);
    this.name = 'ConcurrentChangeError';
  }
}

/**
 * An organization policy constraint refused the change (GCS answers 412 conditionNotMet,
 * "'0' violates constraint 'constraints/storage.softDeletePolicySeconds'"): nothing was changed.
 */
export class OrgPolicyError extends RuntimeError {
  constructor(
    message: string,
    readonly constraint: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OrgPolicyError';
  }
}

export const SOFT_DELETE_CONSTRAINT = 'constraints/storage.softDeletePolicySeconds';

/** What the refused request asked for, in the operator's words, per constraint. */
const REFUSED: Record<string, (value: string) => string> = {
  [SOFT_DELETE_CONSTRAINT]: (seconds) =>
    seconds === '0' ? 'soft delete off (0 s)' : `soft delete of ${+(Number(seconds) / 86_400).toFixed(2)} day(s)`,
};

/** The organization policy constraint a 412 names, if it is a policy refusal rather than a failed precondition. */
export function violatedConstraint(err: unknown): string | undefined {
  if (httpStatusOf(err) !== 412) return undefined;
  return /violates constraint '([^']+)'/.exec((err as Error)?.message ?? '')?.[1];
}

export const httpStatusOf = (err: unknown): number | undefined => {
  const e = err as { code?: unknown; status?: unknown; response?: { status?: unknown } };
  for (const v of [e?.code, e?.status, e?.response?.status]) if (typeof v === 'number') return v;
  return undefined;
};

/** Turns a GCS SDK error into one line that says what failed, on what, and what to do next. */
export function gcsError(err: unknown, what: string, project?: string): GwctlError {
  if (err instanceof GwctlError) return err;
  const status = httpStatusOf(err);
  const reason = ((err as Error)?.message ?? String(err)).split('\n')[0]!;
  const constraint = violatedConstraint(err);
  if (constraint) {
    const value = /'([^']*)' violates constraint/.exec(reason)?.[1];
    const refused =
      value !== undefined && REFUSED[constraint]
        ? `organization policy ${constraint} does not allow ${REFUSED[constraint](value)}`
        : `refused by organization policy ${constraint} (${reason})`;
    return new OrgPolicyError(
      `${what}: ${refused}; nothing changed (allowed values: gcloud resource-manager org-policies describe ${constraint} --effective --project=${project ?? 'PROJECT'})`,
      constraint,
      { cause: err },
    );
  }
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
