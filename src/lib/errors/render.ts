import { ExitCode, GwctlError } from './gwctl-error.js';
import { redact } from './redact.js';

export interface RenderedError {
  /** The error's class (`UsageError`, `NonExistentFlagsError`, …): what scripts branch on. */
  name: string;
  message: string;
  exitCode: number;
  /** What to do next, when the error says. */
  actions?: string[];
}

/** Turns anything thrown into one line and an exit code: 2 for usage/config/input, 1 for the rest. */
export function renderError(err: unknown): RenderedError {
  const name = err instanceof Error ? err.name : 'Error';
  if (err instanceof GwctlError)
    return {
      name,
      message: oneLine(err.message),
      exitCode: err.exitCode,
      ...(err.actions ? { actions: err.actions.map(oneLine) } : {}),
    };
  const e = err as { message?: string; oclif?: { exit?: number }; code?: string | number };
  // oclif's own parse errors (unknown flag, missing arg) carry exit 2.
  if (e?.oclif?.exit !== undefined)
    return { name, message: oneLine(e.message ?? String(err)), exitCode: e.oclif.exit === 0 ? 0 : ExitCode.usage };
  return { name, message: oneLine(e?.message ?? String(err)), exitCode: ExitCode.runtime };
}

/** The stack for GWCTL_DEBUG=1, with each cause's, redacted as the message is: a stack repeats the message. */
export function renderStack(err: unknown): string {
  const parts: string[] = [];
  for (let e = err, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    const { stack, message, cause } = e as { stack?: unknown; message?: unknown; cause?: unknown };
    parts.push(`${depth ? 'caused by: ' : ''}${typeof stack === 'string' ? stack : String(message ?? e)}`);
    e = cause;
  }
  return redact(parts.join('\n'));
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
