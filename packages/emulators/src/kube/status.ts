import { qualifiedResource, type ResourceType } from './resources.js';

export type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'Forbidden'
  | 'BadRequest'
  | 'MethodNotAllowed'
  | 'UnsupportedMediaType'
  | 'Gone'
  | 'TooManyRequests'
  | 'ServiceUnavailable'
  | 'Unauthorized'
  | 'RequestEntityTooLarge';

const CODES: Record<StatusReason, number> = {
  NotFound: 404,
  AlreadyExists: 409,
  Conflict: 409,
  Invalid: 422,
  Forbidden: 403,
  BadRequest: 400,
  MethodNotAllowed: 405,
  UnsupportedMediaType: 415,
  Gone: 410,
  TooManyRequests: 429,
  ServiceUnavailable: 503,
  Unauthorized: 401,
  RequestEntityTooLarge: 413,
};

export interface StatusDetails {
  name?: string;
  group?: string;
  /** The real server puts the plural resource here (`deployments`), not the kind. */
  kind?: string;
  uid?: string;
  causes?: { reason?: string; message: string; field?: string }[];
  retryAfterSeconds?: number;
}

export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

export const codeFor = (reason: StatusReason): number => CODES[reason];

export function failureStatus(reason: StatusReason, message: string, details?: StatusDetails): KubeStatus {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code: CODES[reason],
  };
}

/** A request the API server refuses; the router turns it into a `Status` body. */
export class KubeApiError extends Error {
  constructor(readonly status: KubeStatus) {
    super(status.message);
  }

  get code(): number {
    return this.status.code;
  }
}

const detailsOf = (r: ResourceType, name: string): StatusDetails => ({
  name,
  ...(r.group ? { group: r.group } : {}),
  kind: r.plural,
});

export const notFound = (r: ResourceType, name: string) =>
  new KubeApiError(failureStatus('NotFound', `${qualifiedResource(r)} "${name}" not found`, detailsOf(r, name)));

export const alreadyExists = (r: ResourceType, name: string) =>
  new KubeApiError(
    failureStatus('AlreadyExists', `${qualifiedResource(r)} "${name}" already exists`, detailsOf(r, name)),
  );

export const conflict = (r: ResourceType, name: string, why: string) =>
  new KubeApiError(
    failureStatus(
      'Conflict',
      `Operation cannot be fulfilled on ${qualifiedResource(r)} "${name}": ${why}`,
      detailsOf(r, name),
    ),
  );

export const staleResourceVersion = (r: ResourceType, name: string) =>
  conflict(r, name, 'the object has been modified; please apply your changes to the latest version and try again');

export const invalid = (r: ResourceType, name: string, field: string, why: string) =>
  new KubeApiError(
    failureStatus('Invalid', `${r.kind} "${name}" is invalid: ${field}: ${why}`, {
      ...detailsOf(r, name),
      kind: r.kind,
      causes: [{ reason: 'FieldValueInvalid', message: why, field }],
    }),
  );

export const forbidden = (r: ResourceType, name: string, why: string) =>
  new KubeApiError(
    failureStatus('Forbidden', `${qualifiedResource(r)} "${name}" is forbidden: ${why}`, detailsOf(r, name)),
  );

export const badRequest = (message: string) => new KubeApiError(failureStatus('BadRequest', message));

/** What a successful immediate delete returns when the object is already gone. */
export function deletedStatus(r: ResourceType, name: string, uid: string | undefined): unknown {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { ...detailsOf(r, name), ...(uid ? { uid } : {}) },
  };
}
