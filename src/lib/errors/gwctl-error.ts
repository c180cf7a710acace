/** Exit codes, documented in the README: scripts and cron rely on them. */
export const ExitCode = {
  ok: 0,
  runtime: 1,
  usage: 2,
  /** A check found live state differing from its code or desired state (`verify infra`, `monitoring plan --exit-code`). */
  drift: 3,
  /** A check ran and found the service outside its objective (e.g. `diagnose --slo`). */
  sloBreach: 4,
} as const;

export interface GwctlErrorOptions {
  cause?: unknown;
  /** What to do next, each a command or a step (the JSON envelope's `actions`, as the Salesforce CLI's). */
  actions?: string[];
}

/** An error meant for the operator: one line saying what went wrong, on what, and what to do next. */
export class GwctlError extends Error {
  readonly actions?: string[];

  constructor(
    message: string,
    readonly exitCode: number = ExitCode.runtime,
    options?: GwctlErrorOptions,
  ) {
    super(message, options);
    this.name = 'GwctlError';
    if (options?.actions?.length) this.actions = options.actions;
  }
}

/** Bad flags, configuration or input: exit 2. */
export class UsageError extends GwctlError {
  constructor(message: string, options?: GwctlErrorOptions) {
    super(message, ExitCode.usage, options);
    this.name = 'UsageError';
  }
}

/** Something failed while running: exit 1. */
export class RuntimeError extends GwctlError {
  constructor(message: string, options?: GwctlErrorOptions) {
    super(message, ExitCode.runtime, options);
    this.name = 'RuntimeError';
  }
}
