import { readFileSync } from 'node:fs';
import { UsageError } from '../errors/gwctl-error.js';
import { displayPath } from './environments.js';

/** The text of gwctl.yaml, or the one-line error an operator sees when it cannot be read. */
export function readConfigText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(
      `${displayPath(file)}: cannot read the config file (${(err as NodeJS.ErrnoException).code ?? err}); check --config / GWCTL_CONFIG`,
    );
  }
}
