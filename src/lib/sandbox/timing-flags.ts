import { UsageError } from '../errors/gwctl-error.js';
import { parseDuration } from '../ui/duration.js';

/**
 * The sensible range of each timing flag of `sandbox start`. A lifecycle sweep of 0 would silently turn
 * sweeping off, and below a second it only burns CPU; Node runs any timer longer than ~24.8 days after 1 ms,
 * so long values would spin instead of wait.
 */
const RANGES = {
  'lifecycle-sweep': { min: 1_000, max: 86_400_000, range: '1s and 24h', example: '5s' },
  'lb-teardown': { min: 0, max: 3_600_000, range: '0s and 1h', example: '3s' },
} as const;

export function parseSandboxDuration(flag: keyof typeof RANGES, text: string): number {
  const { min, max, range, example } = RANGES[flag];
  const ms = parseDuration(text);
  if (ms === undefined) throw new UsageError(`--${flag} ${text}: expected a duration such as ${example}`);
  if (ms < min || ms > max) throw new UsageError(`--${flag} ${text}: must be between ${range}, e.g. ${example}`);
  return ms;
}
