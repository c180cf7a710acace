/** An API error carrying the status and `reason` GCS would answer with. */
export class GcsError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly reason: string,
    readonly domain = 'global',
    /** The query parameter at fault, for a bad parameter. */
    readonly parameter?: string,
  ) {
    super(message);
  }
}

export const notFound = (message: string) => new GcsError(404, message, 'notFound');

export const noSuchBucket = () => notFound('The specified bucket does not exist.');

export const noSuchObject = (bucket: string, name: string) => notFound(`No such object: ${bucket}/${name}`);

export const conflict = (message: string) => new GcsError(409, message, 'conflict');

export const conditionNotMet = () =>
  new GcsError(412, 'At least one of the pre-conditions you specified did not hold.', 'conditionNotMet');

export const invalid = (message: string, reason = 'invalid') => new GcsError(400, message, reason);

export const forbidden = (message: string, reason = 'forbidden') => new GcsError(403, message, reason);

/** The JSON body GCS returns for every API error. */
export function errorBody(err: GcsError) {
  return {
    error: {
      code: err.code,
      message: err.message,
      errors: [
        {
          message: err.message,
          domain: err.domain,
          reason: err.reason,
          ...(err.parameter ? { location: err.parameter, locationType: 'parameter' } : {}),
        },
      ],
    },
  };
}

/** Body for an injected 429/503, shaped as GCS shapes its own throttling errors. */
export function faultBody(status: number) {
  const throttled = status === 429;
  return errorBody(
    new GcsError(
      status,
      throttled ? 'The rate of change requests is too high (injected).' : 'Backend Error (injected).',
      throttled ? 'rateLimitExceeded' : 'backendError',
      throttled ? 'usageLimits' : 'global',
    ),
  );
}
