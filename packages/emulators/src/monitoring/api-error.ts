import * as grpc from '@grpc/grpc-js';

export type ApiStatus = 'INVALID_ARGUMENT' | 'NOT_FOUND' | 'ALREADY_EXISTS' | 'FAILED_PRECONDITION' | 'UNIMPLEMENTED';

/** An error the API answers with a gRPC status (https://cloud.google.com/apis/design/errors). */
export class ApiError extends Error {
  constructor(
    readonly status: ApiStatus,
    message: string,
  ) {
    super(message);
  }

  get code(): grpc.status {
    return grpc.status[this.status];
  }
}

/** Google's wording for a field the request got wrong, e.g. `Field alert_policy.conditions[0].…`. */
export const invalidField = (field: string, value: unknown, why: string) =>
  new ApiError('INVALID_ARGUMENT', `Field ${field} had an invalid value of ${JSON.stringify(value)}: ${why}`);

export const notFound = (name: string) => new ApiError('NOT_FOUND', `Requested entity was not found: ${name}`);
