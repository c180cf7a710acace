import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { recordRequest, type RequestSeen } from '../common/request-log.js';
import { batchBoundary, encodeBatchAnswers, parseBatch, type BatchAnswer, type BatchPart } from './batch-multipart.js';
import type { ApiCall } from './api-call.js';
import { GCS_SERVICE, type GcsContext } from './context.js';
import { errorBody, faultBody, GcsError, invalid } from './errors.js';
import { parseQuery, type QueryParams } from './query.js';

/** GCS takes at most this many calls in one batch. */
const MAX_BATCH_CALLS = 100;

/** The router's `answerApiRequest`, passed in through the route table rather than imported: the router imports this file. */
export type ApiRequestHandler = (
  ctx: GcsContext,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  query: QueryParams,
) => void | Promise<void>;

// Content-* headers describe the outer body and hop-by-hop ones its connection: neither reaches a nested call.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding']);
const isOuterOnly = (name: string) => name.startsWith('content-') || HOP_BY_HOP.has(name);

type Chunk = string | Buffer;

/**
 * Stands in for the `ServerResponse` a handler answers on: it takes `writeHead(…)`, `write(…)` and `end(…)`, and has `headersSent`.
 * Strings are kept as written, not encoded: the batch answer encodes them straight into its own buffer.
 */
class CapturedResponse {
  statusCode = 200;
  headersSent = false;
  headers: Record<string, string> = {};
  private readonly chunks: Chunk[] = [];

  writeHead(status: number, headers: Record<string, string | number> = {}): this {
    this.statusCode = status;
    for (const name in headers) this.headers[name.toLowerCase()] = String(headers[name]);
    this.headersSent = true;
    return this;
  }

  write(chunk: Chunk): boolean {
    this.chunks.push(chunk);
    this.headersSent = true;
    return true;
  }

  end(chunk?: Chunk): this {
    if (chunk !== undefined) this.write(chunk);
    this.headersSent = true;
    return this;
  }

  get body(): Chunk {
    const { chunks } = this;
    if (chunks.length === 1) return chunks[0];
    return Buffer.concat(chunks.map((chunk) => (typeof chunk === 'string' ? Buffer.from(chunk) : chunk)));
  }
}

const JSON_HEADERS: Readonly<Record<string, string>> = { 'content-type': 'application/json; charset=UTF-8' };

function jsonAnswer(id: string | undefined, status: number, body: unknown): BatchAnswer {
  return { id, status, headers: JSON_HEADERS, body: JSON.stringify(body) };
}

/** GCS serves no media in a batch (uploads, downloads), and a batch cannot nest another. */
function refusal(part: BatchPart, path: string, query: QueryParams): GcsError | undefined {
  if (/^\/(upload|download|batch)\//.test(path) || query.get('alt') === 'media')
    return invalid(
      `${part.method} ${path} cannot be sent in a batch request: uploads, downloads and batches are not allowed there.`,
    );
  return undefined;
}

const failed = (part: BatchPart, err: unknown) =>
  jsonAnswer(part.id, 500, errorBody(new GcsError(500, String((err as Error)?.message ?? err), 'backendError')));

const captured = (part: BatchPart, res: CapturedResponse): BatchAnswer => ({
  id: part.id,
  status: res.statusCode,
  headers: res.headers,
  body: res.body,
});

/**
 * Runs one nested call through the API router, exactly as if it had come on its own. The answer
 * comes as a promise only when the handler gives one: most calls need none, nor its microtasks.
 */
function execute(
  ctx: GcsContext,
  handle: ApiRequestHandler,
  shared: IncomingHttpHeaders,
  part: BatchPart,
): BatchAnswer | Promise<BatchAnswer> {
  const q = part.url.indexOf('?');
  const path = q < 0 ? part.url : part.url.slice(0, q);
  // Parsed here for the refusal and handed on, so the router need not parse it again.
  const query = parseQuery(q < 0 ? '' : part.url.slice(q + 1));
  const refused = refusal(part, path, query);
  if (refused) return jsonAnswer(part.id, 400, errorBody(refused));
  // No stream: the body goes to the router already read, so the request is `complete`, with nothing left to drain.
  const req = { method: part.method, url: part.url, headers: { ...shared, ...part.headers }, complete: true };
  const res = new CapturedResponse();
  let handled: void | Promise<void>;
  try {
    handled = handle(ctx, req as IncomingMessage, res as unknown as ServerResponse, part.body, query);
  } catch (err) {
    return failed(part, err);
  }
  if (handled instanceof Promise)
    return handled.then(
      () => captured(part, res),
      (err: unknown) => failed(part, err),
    );
  return captured(part, res);
}

function recorded(ctx: GcsContext, seen: RequestSeen, started: number, answer: BatchAnswer): BatchAnswer {
  recordRequest(ctx.log, seen, started, answer.status);
  return answer;
}

/** One nested call, recorded and fault-injected like a direct request. */
function answerPart(
  ctx: GcsContext,
  handle: ApiRequestHandler,
  shared: IncomingHttpHeaders,
  part: BatchPart,
): BatchAnswer | Promise<BatchAnswer> {
  const started = Date.now();
  const decided = ctx.faults.decide();
  // A part has no connection of its own to drop, so a reset fails just that call, as the 503 a server would give.
  const fault = decided === 'reset' ? '503' : decided;
  const seen: RequestSeen = { service: GCS_SERVICE, method: part.method, path: part.url, fault, batch: true };
  if (fault) return recorded(ctx, seen, started, jsonAnswer(part.id, Number(fault), faultBody(Number(fault))));
  const answer = execute(ctx, handle, shared, part);
  return answer instanceof Promise
    ? answer.then((a) => recorded(ctx, seen, started, a))
    : recorded(ctx, seen, started, answer);
}

/**
 * `POST /batch/storage/v1`: a `multipart/mixed` body of nested JSON API calls, run one after
 * another in order (so their effects and the request log are deterministic) and answered in one
 * `multipart/mixed` response, a nested HTTP response per call.
 */
export async function handleBatch(ctx: GcsContext, call: ApiCall, handle: ApiRequestHandler): Promise<void> {
  const boundary = batchBoundary(call.req.headers['content-type']);
  const parts = parseBatch(await call.body(), boundary);
  if (parts.length > MAX_BATCH_CALLS)
    throw invalid(`A batch request can hold at most ${MAX_BATCH_CALLS} calls, got ${parts.length}.`);
  const shared = Object.fromEntries(Object.entries(call.req.headers).filter(([name]) => !isOuterOnly(name)));
  const answers: BatchAnswer[] = [];
  for (const part of parts) {
    const answer = answerPart(ctx, handle, shared, part);
    answers.push(answer instanceof Promise ? await answer : answer);
  }
  const { contentType, body } = encodeBatchAnswers(answers);
  call.res.writeHead(200, { 'content-type': contentType, 'content-length': String(body.length) }).end(body);
}
