import { UsageError } from '../errors/gwctl-error.js';

/** The legacy key the gateway used before `current_id`. */
export const LEGACY_RENAMES: Readonly<Record<string, string>> = { current_private_address: 'current_id' };

/** `--rename old=new` flags as a map; a malformed or repeated one is refused. */
export function parseRenames(flags: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const flag of flags) {
    const m = /^([^=]+)=([^=]+)$/.exec(flag.trim());
    if (!m)
      throw new UsageError(
        `--rename ${JSON.stringify(flag)}: expected old=new, e.g. --rename current_private_address=current_id`,
      );
    const [, from, to] = m;
    if (from in out && out[from] !== to)
      throw new UsageError(`--rename ${from} is given twice (${out[from]} and ${to}); keep one`);
    out[from] = to;
  }
  return out;
}
