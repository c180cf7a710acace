import { GwctlError } from '../errors/gwctl-error.js';

/** The refusal a check would throw, as a value: thrown before confirmation, shown as a warning by a dry run. */
export function refusalOf(check: () => void): GwctlError | undefined {
  try {
    check();
    return undefined;
  } catch (err) {
    if (err instanceof GwctlError) return err;
    throw err;
  }
}
