import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../common/http-emulator.js';
import type { FieldMask } from './field-mask.js';
import type { QueryParams } from './query.js';

/** One API request, already routed. */
export interface ApiCall {
  req: IncomingMessage;
  res: ServerResponse;
  query: QueryParams;
  /** Scheme and host the client used, for `selfLink`, `mediaLink` and upload session URIs. */
  baseUrl: string;
  /** The request body, read whole. */
  body(): Promise<Buffer>;
  /** The body, when it came already read (a call inside a batch): handlers can answer without waiting for it. */
  bodyRead?: Buffer;
  /** The `fields` parameter: what a successful JSON answer keeps. */
  fields?: FieldMask;
}

/** A successful JSON answer, cut down to the call's `fields` (an error body never is). */
export function sendResult(call: ApiCall, body: Record<string, unknown>): void {
  sendJson(call.res, 200, call.fields ? call.fields.apply(body) : body);
}
