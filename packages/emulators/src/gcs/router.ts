import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from '../common/http-emulator.js';
import type { ApiCall } from './api-call.js';
import type { GcsContext } from './context.js';
import { errorBody, GcsError, notFound } from './errors.js';
import { FieldMask } from './field-mask.js';
import { PathPattern, pathSegments } from './path-pattern.js';
import { parseQuery, type QueryParams } from './query.js';
import { gcsRoutes, type Route, type Routed } from './routes.js';

const notAllowed = (method: string) => new GcsError(405, `Method ${method} is not allowed here.`, 'methodNotAllowed');

/** The route table, its patterns parsed once; `answerApiRequest` is what a batch runs its calls through. */
const ROUTES: (Route & { pattern: PathPattern })[] = gcsRoutes(answerApiRequest).map((r) => ({
  ...r,
  pattern: new PathPattern(r.path),
}));

/** The first route matching path and method; a path that only matches with other methods answers 405, any other 404. */
function route(ctx: GcsContext, call: ApiCall, segments: string[]): Routed {
  const method = call.req.method ?? 'GET';
  let knownPath = false;
  for (const r of ROUTES) {
    const params = r.pattern.match(segments);
    if (!params) continue;
    if (r.method === '*' || r.method === method) return r.handle(ctx, call, params);
    knownPath = true;
  }
  throw knownPath ? notAllowed(method) : notFound('Not Found');
}

/** The GCS-shaped JSON error for an API error; anything else is rethrown, for the server (or the batch) to answer 500. */
function answerError(err: unknown, req: IncomingMessage, res: ServerResponse): void {
  if (!(err instanceof GcsError) || res.headersSent) throw err;
  // Drain an unread body so the connection stays usable for the client's next request.
  if (!req.complete) req.resume();
  sendJson(res, err.code, errorBody(err));
}

/**
 * Answers one GCS API request; API errors become GCS-shaped JSON errors. A call from a batch comes
 * with its body already read and its query parsed. The promise is there only when the handler has
 * one (it reads a body, say): a batch runs its calls without one promise per call.
 */
export function answerApiRequest(
  ctx: GcsContext,
  req: IncomingMessage,
  res: ServerResponse,
  body?: Buffer,
  query?: QueryParams,
): Routed {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q >= 0 ? url.slice(0, q) : url;
  const call: ApiCall = {
    req,
    res,
    query: query ?? parseQuery(q >= 0 ? url.slice(q + 1) : ''),
    baseUrl: `http://${req.headers.host ?? '127.0.0.1'}`,
    body: body ? () => Promise.resolve(body) : () => readBody(req),
    bodyRead: body,
  };
  let routed: Routed;
  try {
    const fields = call.query.get('fields');
    if (fields !== null) call.fields = FieldMask.parse(fields);
    routed = route(ctx, call, pathSegments(path));
  } catch (err) {
    return answerError(err, req, res);
  }
  return routed instanceof Promise ? routed.catch((err: unknown) => answerError(err, req, res)) : undefined;
}

/** The server's handler for API requests. */
export async function handleApiRequest(ctx: GcsContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  await answerApiRequest(ctx, req, res);
}
