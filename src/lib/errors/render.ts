import { ExitCode, GwctlError } from './gwctl-error.js';
import { redact } from './redact.js';

export interface RenderedError {
  message: string;
  exitCode: number;
}

/** Turns anything thrown into one line and an exit code: 2 for usage/config/input, 1 for the rest. */
export function renderError(err: unknown): RenderedError {
  if (err instanceof GwctlError) return { message: oneLine(err.message), exitCode: err.exitCode };
  const e = err as { message?: string; oclif?: { exit?: number }; code?: string | number };
  // oclif's own parse errors (unknown flag, missing arg) carry exit 2.
  if (e?.oclif?.exit !== undefined)
    return { message: oneLine(e.message ?? String(err)), exitCode: e.oclif.exit === 0 ? 0 : ExitCode.usage };
  return { message: oneLine(e?.message ?? String(err)), exitCode: ExitCode.runtime };
}

function oneLine(text: string): string {
  return redact(
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .join(' '),
  ).slice(0, 600);
}
