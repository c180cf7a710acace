/** gRPC status names the emulator answers with (google.rpc.Code). */
export type RpcCode =
  | 'CANCELLED'
  | 'UNKNOWN'
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'PERMISSION_DENIED'
  | 'RESOURCE_EXHAUSTED'
  | 'FAILED_PRECONDITION'
  | 'UNIMPLEMENTED'
  | 'INTERNAL'
  | 'UNAVAILABLE';

/** A request Storage Transfer Service refuses, with the gRPC status it answers with. */
export class TransferError extends Error {
  constructor(
    readonly code: RpcCode,
    message: string,
  ) {
    super(message);
  }
}

export const invalid = (message: string) => new TransferError('INVALID_ARGUMENT', message);

/** Google's wording for a missing resource (https://cloud.google.com/apis/design/errors#error_codes). */
export const notFound = (what: string) => new TransferError('NOT_FOUND', `${what} was not found.`);
