import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from '../common/http-emulator.js';
import { ACCESS_REVIEW_PATH, requestAttributes, type AccessRules } from './access-review.js';
import { requestContext, type KubeApiServer, type RequestContext } from './api-server.js';
import type { DeleteOptions } from './deletion.js';
import { discoveryDocument } from './discovery.js';
import { isPlainObject } from './merge-patch.js';
import { PATCH_TYPES, patchTypeOf } from './patch.js';
import { parseResourcePath, type ResourceTarget } from './resource-path.js';
import { badRequest, deletedStatus, failureStatus, KubeApiError } from './status.js';
import type { WatchHub } from './watch.js';

const notFoundPath = () =>
  new KubeApiError(failureStatus('NotFound', 'the server could not find the requested resource'));

const ACCEPTED_PATCHES = Object.values(PATCH_TYPES).join(', ');

/**
 * The Kubernetes REST API over HTTP: discovery, then CRUD, scale/status subresources and watch, each request
 * authorized by `access` first; and SelfSubjectAccessReview, which asks `access` without acting.
 */
export function createRouter(api: KubeApiServer, watches: WatchHub, access: AccessRules) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://kube.invalid');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = (req.method ?? 'GET').toUpperCase();
    const ctx = requestContext();
    try {
      if (method === 'GET') {
        const doc = discoveryDocument(path, req.headers.host ?? '');
        if (doc !== undefined) return sendJson(res, 200, doc);
        if (path === '/healthz' || path === '/readyz' || path === '/livez') {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end('ok');
          return;
        }
      }
      if (method === 'POST' && path === ACCESS_REVIEW_PATH) {
        const review = access.review(await parseBody(await readBody(req), req.headers['content-type']));
        return sendJson(res, review.code, review.body);
      }
      const target = parseResourcePath(path);
      if (!target) throw notFoundPath();
      access.check(requestAttributes(target, method, url.searchParams));
      const raw = method === 'GET' ? Buffer.alloc(0) : await readBody(req);
      const body = await parseBody(raw, req.headers['content-type']);
      ctx.dryRun = isDryRun(url.searchParams, body);
      const reply = await serve(api, watches, req, res, target, method, url.searchParams, body, ctx);
      if (!reply) return;
      setWarnings(res, ctx);
      sendJson(res, reply.code, reply.body);
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const status = err instanceof KubeApiError ? err.status : failureStatus('BadRequest', (err as Error).message);
      if (!(err instanceof KubeApiError)) Object.assign(status, { reason: 'InternalError', code: 500 });
      setWarnings(res, ctx);
      sendJson(res, status.code, status);
    }
  };
}

async function serve(
  api: KubeApiServer,
  watches: WatchHub,
  req: IncomingMessage,
  res: ServerResponse,
  t: ResourceTarget,
  method: string,
  q: URLSearchParams,
  body: unknown,
  ctx: RequestContext,
): Promise<{ code: number; body: unknown } | undefined> {
  const { resource: r, namespace: ns, name, subresource: sub } = t;
  if (sub !== undefined && !(r.subresources as string[]).includes(sub)) throw notFoundPath();
  const listOptions = {
    labelSelector: q.get('labelSelector') ?? undefined,
    fieldSelector: q.get('fieldSelector') ?? undefined,
    limit: q.has('limit') ? Number(q.get('limit')) : undefined,
    continue: q.get('continue') ?? undefined,
  };
  const ok = (b: unknown) => ({ code: 200, body: b });
  if (name === undefined) {
    if (method === 'GET' && q.get('watch') && q.get('watch') !== 'false' && q.get('watch') !== '0') {
      watches.serve(req, res, r, ns, {
        ...listOptions,
        resourceVersion: q.get('resourceVersion') ?? undefined,
        timeoutSeconds: Number(q.get('timeoutSeconds')) || undefined,
      });
      return undefined;
    }
    if (method === 'GET') return ok(api.list(r, ns, listOptions));
    if (r.namespaced && ns === undefined) throw methodNotAllowed(method);
    if (method === 'POST') return { code: 201, body: api.create(r, ns, body, ctx) };
    if (method === 'DELETE') return ok(api.deleteCollection(r, ns, listOptions, deleteOptions(q, body), ctx));
    throw methodNotAllowed(method);
  }
  switch (method) {
    case 'GET':
      return ok(sub === 'scale' ? api.readScale(r, ns, name) : api.get(r, ns, name));
    case 'PUT':
      if (sub === 'scale') return ok(api.updateScale(r, ns, name, body, ctx));
      return ok(api.update(r, ns, name, body, ctx, sub === 'status' ? 'status' : undefined));
    case 'PATCH': {
      const type = patchTypeOf(req.headers['content-type']);
      if (!type)
        throw new KubeApiError(
          failureStatus(
            'UnsupportedMediaType',
            `the body of the request was in an unknown format - accepted media types include: ${ACCEPTED_PATCHES}`,
          ),
        );
      if (sub === 'scale') return ok(api.patchScale(r, ns, name, type, body, ctx));
      return ok(
        api.patch(r, ns, name, type, body, ctx, {
          subresource: sub === 'status' ? 'status' : undefined,
          fieldManager: q.get('fieldManager') ?? undefined,
        }),
      );
    }
    case 'DELETE': {
      if (sub !== undefined) throw methodNotAllowed(method);
      const opts = deleteOptions(q, body);
      const result = api.delete(r, ns, name, opts, ctx);
      if (result.gone) return ok(deletedStatus(r, name, result.gone.metadata.uid));
      // The real server answers 202 only when the caller asked for cascading via orphanDependents=false.
      return { code: opts.orphanDependents === false ? 202 : 200, body: result.remaining };
    }
  }
  throw methodNotAllowed(method);
}

const methodNotAllowed = (method: string) =>
  new KubeApiError(
    failureStatus('MethodNotAllowed', `the server does not allow this method on the requested resource (${method})`),
  );

/** DeleteOptions come in the body (client-node's `body` param) or the query string; the body wins. */
function deleteOptions(q: URLSearchParams, body: unknown): DeleteOptions {
  const b = (isPlainObject(body) ? body : {}) as DeleteOptions;
  const num = (v: string | null) => (v === null ? undefined : Number(v));
  const bool = (v: string | null) => (v === null ? undefined : v === 'true');
  return {
    propagationPolicy: b.propagationPolicy ?? q.get('propagationPolicy') ?? undefined,
    gracePeriodSeconds: b.gracePeriodSeconds ?? num(q.get('gracePeriodSeconds')),
    orphanDependents: b.orphanDependents ?? bool(q.get('orphanDependents')),
    preconditions: b.preconditions,
  };
}

function isDryRun(q: URLSearchParams, body: unknown): boolean {
  const values = [
    ...q.getAll('dryRun'),
    ...(isPlainObject(body) && Array.isArray(body.dryRun) ? (body.dryRun as string[]) : []),
  ];
  for (const v of values) if (v !== 'All') throw badRequest(`Invalid dryRun value: "${v}": supported values: "All"`);
  return values.length > 0;
}

async function parseBody(raw: Buffer, contentType: string | undefined): Promise<unknown> {
  if (raw.length === 0) return undefined;
  const text = raw.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    // Server-side apply bodies may be YAML; anything else must be JSON.
    if (!(contentType ?? '').includes('yaml'))
      throw badRequest(`the body of the request was in an unknown format: invalid JSON`);
    const { parse } = await import('yaml');
    return parse(text) as unknown;
  }
}

function setWarnings(res: ServerResponse, ctx: RequestContext): void {
  if (ctx.warnings.length)
    res.setHeader(
      'Warning',
      ctx.warnings.map((w) => `299 - ${JSON.stringify(w)}`),
    );
}
