import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { startRecording } from '../common/request-log.js';
import { batchBoundary, encodeBatchAnswers, parseBatch, type BatchAnswer, type BatchPart } from './batch-multipart.js';
import { GCS_SERVICE, type ApiCall, type GcsContext } from './context.js';
import { errorBody, faultBody, GcsError, invalid } from './errors.js';

/** GCS takes at most this many calls in one batch. */
const MAX_BATCH_CALLS = 100;

/** `handleApiRequest`, passed in rather than imported: the router imports this file. */
export type ApiRequestHandler = (ctx: GcsContext, req: IncomingMessage, res: ServerResponse, body: Buffer) => Promise<void>;

// Content-* headers describe the outer body and hop-by-hop ones its connection: neither reaches a nested call.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding']);
const isOuterOnly = (name: string) => name.startsWith('content-') || HOP_BY_HOP.has(name);

/** Stands in for the `ServerResponse` a handler answers on: it takes `writeHead(…)`, `write(…)` and `end(…)`, and has `headersSent`. */
class CapturedResponse {
  statusCode = 200;
  headersSent = false;
  headers: Record<string, string> = {};
  private readonly chunks: Buffer[] = [];

  writeHead(status: number, headers: Record<string, string | number> = {}): this {
    this.statusCode = status;
    for (const [name, value] of Object.entries(headers)) this.headers[name.toLowerCase()] = String(value);
    this.headersSent = true;
    return this;
  }

  write(chunk: string | Buffer): boolean {
    this.chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    this.headersSent = true;
    return true;
  }

  end(chunk?: string | Buffer): this {
    if (chunk !== undefined) this.write(chunk);
    this.headersSent = true;
    return this;
  }

  get body(): Buffer {
    return this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
  }
}

function jsonAnswer(status: number, body: unknown): Omit<BatchAnswer, 'id'> {
  return { status, headers: { 'content-type': 'application/json; charset=UTF-8' }, body: Buffer.from(JSON.stringify(body)) };
}

/** GCS serves no media in a batch (uploads, downloads), and a batch cannot nest another. */
function refusal(part: BatchPart): GcsError | undefined {
  const q = part.url.indexOf('?');
  const path = q < 0 ? part.url : part.url.slice(0, q);
  if (/^\/(upload|download|batch)\//.test(path) || (q >= 0 && new URLSearchParams(part.url.slice(q + 1)).get('alt') === 'media'))
    return invalid(`${part.method} ${path} cannot be sent in a batch request: uploads, downloads and batches are not allowed there.`);
  return undefined;
}

/** Runs one nested call through the API router, exactly as if it had come on its own. */
async function execute(ctx: GcsContext, handle: ApiRequestHandler, shared: IncomingHttpHeaders, part: BatchPart): Promise<Omit<BatchAnswer, 'id'>> {
  const refused = refusal(part);
  if (refused) return jsonAnswer(400, errorBody(refused));
  // No stream: the body goes to the router already read, so the request is `complete`, with nothing left to drain.
  const req = { method: part.method, url: part.url, headers: { ...shared, ...part.headers }, complete: true };
  const res = new CapturedResponse();
  try {
    await handle(ctx, req as IncomingMessage, res as unknown as ServerResponse, part.body);
  } catch (err) {
    return jsonAnswer(500, errorBody(new GcsError(500, String((err as Error)?.message ?? err), 'backendError')));
  }
  return { status: res.statusCode, headers: res.headers, body: res.body };
}

/** One nested call, recorded and fault-injected like a direct request. */
async function answerPart(ctx: GcsContext, handle: ApiRequestHandler, shared: IncomingHttpHeaders, part: BatchPart): Promise<BatchAnswer> {
  const started = Date.now();
  const decided = ctx.faults.decide();
  // A part has no connection of its own to drop, so a reset fails just that call, as the 503 a server would give.
  const fault = decided === 'reset' ? '503' : decided;
  const record = startRecording(ctx.log, { service: GCS_SERVICE, method: part.method, path: part.url, fault, batch: true }, started);
  const answer = fault ? jsonAnswer(Number(fault), faultBody(Number(fault))) : await execute(ctx, handle, shared, part);
  record(answer.status);
  return { id: part.id, ...answer };
}

/**
 * `POST /batch/storage/v1`: a `multipart/mixed` body of nested JSON API calls, run one after
 * another in order (so their effects and the request log are deterministic) and answered in one
 * `multipart/mixed` response, a nested HTTP response per call.
 */
export async function handleBatch(ctx: GcsContext, call: ApiCall, handle: ApiRequestHandler): Promise<void> {
  const boundary = batchBoundary(call.req.headers['content-type']);
  const parts = parseBatch(await call.body(), boundary);
  if (parts.length > MAX_BATCH_CALLS) throw invalid(`A batch request can hold at most ${MAX_BATCH_CALLS} calls, got ${parts.length}.`);
  const shared = Object.fromEntries(Object.entries(call.req.headers).filter(([name]) => !isOuterOnly(name)));
  const answers: BatchAnswer[] = [];
  for (const part of parts) answers.push(await answerPart(ctx, handle, shared, part));
  const { contentType, body } = encodeBatchAnswers(answers);
  call.res.writeHead(200, { 'content-type': contentType, 'content-length': String(body.length) }).end(body);
}
