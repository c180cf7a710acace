/** A command failure answered as `{ok: 0, code, codeName, errmsg}`, the way mongod reports it. */
export class MongoCommandError extends Error {
  constructor(
    readonly code: number,
    readonly codeName: string,
    message: string,
    readonly errorLabels: string[] = [],
  ) {
    super(message);
    this.name = 'MongoCommandError';
  }

  toReply(): Record<string, unknown> {
    return {
      ok: 0,
      errmsg: this.message,
      code: this.code,
      codeName: this.codeName,
      ...(this.errorLabels.length > 0 ? { errorLabels: this.errorLabels } : {}),
    };
  }
}

/** The server codes the emulator uses; names match mongod's so drivers classify them correctly. */
export const ErrorCodes = {
  BadValue: 2,
  FailedToParse: 9,
  TypeMismatch: 14,
  NamespaceNotFound: 26,
  CursorNotFound: 43,
  NamespaceExists: 48,
  CommandNotFound: 59,
  ImmutableField: 66,
  InvalidNamespace: 73,
  ShutdownInProgress: 91,
  DuplicateKey: 11000,
  NotImplemented: 238,
  IngressRequestRateLimitExceeded: 462,
} as const;

export const badValue = (message: string) => new MongoCommandError(ErrorCodes.BadValue, 'BadValue', message);
export const notImplemented = (message: string) =>
  new MongoCommandError(
    ErrorCodes.NotImplemented,
    'NotImplemented',
    `${message} (not supported by gwctl's MongoDB emulator)`,
  );
