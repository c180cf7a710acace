import { UsageError } from '../errors/gwctl-error.js';

/** The Relaynet spec lets gateways keep messages for up to 6 months. */
export const SPEC_MAX_DAYS = 180;

/** GCS stores `age` as a 32-bit integer. */
const GCS_MAX_AGE = 2_147_483_647;

/**
 * `--days` as given on the command line (a string, so every bad value gets our own one-line message
 * rather than a parser's). Throws a UsageError (exit 2).
 */
export function parseTtlDays(raw: string, opts: { allowOverSpec?: boolean } = {}): number {
  const text = raw.trim();
  if (!/^[+-]?\d+(\.\d+)?$/.test(text))
    throw new UsageError(`--days must be a whole number of days, got "${raw}" (e.g. --days 90)`);
  const days = Number(text);
  if (!Number.isInteger(days))
    throw new UsageError(`--days must be a whole number of days, got ${text} (e.g. --days 90)`);
  if (days === 0)
    throw new UsageError(
      '--days 0 would delete every object: emptying a bucket belongs to `gwctl env deprovision`; use --days 1 or more',
    );
  if (days < 0) throw new UsageError(`--days must be 1 or more, got ${text}`);
  if (days > GCS_MAX_AGE) throw new UsageError(`--days ${text} is more than GCS accepts (${GCS_MAX_AGE})`);
  if (days > SPEC_MAX_DAYS && !opts.allowOverSpec)
    throw new UsageError(
      `--days ${days} is over the Relaynet spec's ${SPEC_MAX_DAYS}-day (6-month) maximum; pass --allow-over-spec to set it anyway`,
    );
  return days;
}
