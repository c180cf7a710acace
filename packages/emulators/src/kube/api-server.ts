import { isDeepStrictEqual } from 'node:util';
import type { EmulatorClock } from '../common/clock.js';
import { admit, type AdmissionRequest, type RequestUser } from './admission.js';
import { checkPreconditions, planDeletion, propagationOf, type DeleteOptions } from './deletion.js';
import { provisionLoadBalancer } from './gke-ingress.js';
import { isPlainObject } from './merge-patch.js';
import { undecodable } from './micro-time.js';
import { applyCreateDefaults, invalidField, normalize } from './object-defaults.js';
import { generatedName, invalidNameReason, kubeTimestamp, newUid, specChanged } from './object-meta.js';
import { applySchemaDefaults } from './schema-defaults.js';
import { applyPatch, PATCH_TYPES, PatchError, type PatchType } from './patch.js';
import { apiVersionOf, resourceByPath, resourceForObject, type ResourceType } from './resources.js';
import { replicasOf, toScale } from './scale.js';
import { matchesRequirements, parseFieldSelector, parseLabelSelector } from './selectors.js';
import {
  alreadyExists,
  badRequest,
  conflict,
  failureStatus,
  forbidden,
  invalid,
  KubeApiError,
  notFound,
  staleResourceVersion,
} from './status.js';
import type { KubeObject, ObjectMeta, KubeObjectStore } from './store.js';
import { settleWorkloadStatus } from './workload-status.js';

/** Who is asking and how: carried through a request so admission sees the user and warnings reach the response. */
export interface RequestContext {
  user: RequestUser;
  dryRun: boolean;
  warnings: string[];
}

/** Clients of the emulator all act as cluster admin; there is no authentication. */
export const ADMIN_USER: RequestUser = {
  username: 'kubernetes-admin',
  groups: ['system:masters', 'system:authenticated'],
};

export const requestContext = (user: RequestUser = ADMIN_USER, dryRun = false): RequestContext => ({
  user,
  dryRun,
  warnings: [],
});

export interface KubeListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

export interface KubeList {
  kind: string;
  apiVersion: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: KubeObject[];
}

/** The outcome of a delete: the object is either still there (finalizers, Terminating) or gone. */
export type DeleteResult = { remaining: KubeObject; gone?: undefined } | { gone: KubeObject; remaining?: undefined };

export const NAMESPACES = resourceByPath('', 'v1', 'namespaces')!;

const SERVER_FIELDS = [
  'uid',
  'resourceVersion',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'generation',
  'selfLink',
  'managedFields',
];
const CARRIED_FIELDS = ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation'];

/**
 * The API server's verbs over the object store: validation, admission, optimistic concurrency,
 * defaulting and deletion semantics. HTTP lives in router.ts; controllers react via `onWrite`.
 */
export class KubeApiServer {
  /** Called after every committed change so the simulated controllers can react. */
  onWrite: () => void = () => {};

  constructor(
    readonly store: KubeObjectStore,
    readonly clock: EmulatorClock,
  ) {}

  get(r: ResourceType, ns: string | undefined, name: string): KubeObject {
    const o = this.store.get(r, ns, name);
    if (!o) throw notFound(r, name);
    return o;
  }

  list(r: ResourceType, ns: string | undefined, opts: KubeListOptions = {}): KubeList {
    let items = this.store.list(r, ns);
    if (opts.labelSelector) {
      const reqs = parseLabelSelector(opts.labelSelector);
      items = items.filter((o) => matchesRequirements(o.metadata.labels, reqs));
    }
    if (opts.fieldSelector) items = items.filter(parseFieldSelector(opts.fieldSelector));
    if (opts.continue) {
      const after = decodeContinue(opts.continue);
      items = items.filter((o) => listKey(o) > after);
    }
    const metadata: KubeList['metadata'] = { resourceVersion: this.store.resourceVersion };
    if (opts.limit && opts.limit > 0 && items.length > opts.limit) {
      metadata.remainingItemCount = items.length - opts.limit;
      items = items.slice(0, opts.limit);
      metadata.continue = Buffer.from(JSON.stringify({ after: listKey(items[items.length - 1]) })).toString(
        'base64url',
      );
    }
    return { kind: `${r.kind}List`, apiVersion: apiVersionOf(r), metadata, items };
  }

  create(r: ResourceType, ns: string | undefined, body: unknown, ctx: RequestContext): KubeObject {
    const o = this.checkBody(r, body, ns);
    const m = o.metadata;
    if (!m.name && m.generateName) m.name = generatedName(m.generateName);
    if (!m.name) throw invalid(r, '', 'metadata.name', 'Required value: name or generateName is required');
    const badName = invalidNameReason(m.name);
    if (badName) throw invalid(r, m.name, 'metadata.name', badName);
    this.checkNamespaceAcceptsContent(r, ns, m.name);
    if (this.store.get(r, ns, m.name)) throw alreadyExists(r, m.name);
    for (const f of SERVER_FIELDS) delete m[f];
    m.uid = newUid();
    m.creationTimestamp = kubeTimestamp(this.clock);
    m.generation = 1;
    if (r.subresources.includes('status')) delete o.status;
    this.prepare(o, true);
    this.admit(ctx, { operation: 'CREATE', resource: r, name: m.name, namespace: ns, object: o, oldObject: null });
    return ctx.dryRun ? o : this.commit(r, o);
  }

  /** PUT of the object or of its `status` subresource. */
  update(
    r: ResourceType,
    ns: string | undefined,
    name: string,
    body: unknown,
    ctx: RequestContext,
    subresource?: 'status',
  ): KubeObject {
    const o = this.checkBody(r, body, ns);
    if (o.metadata.name && o.metadata.name !== name)
      throw badRequest(`the name of the object (${o.metadata.name}) does not match the name on the URL (${name})`);
    o.metadata.name = name;
    const current = this.get(r, ns, name);
    checkVersion(r, current, o.metadata);
    let next: KubeObject;
    if (subresource === 'status') next = { ...current, status: o.status };
    else {
      next = o;
      for (const f of CARRIED_FIELDS) {
        if (current.metadata[f] === undefined) delete next.metadata[f];
        else next.metadata[f] = current.metadata[f];
      }
      if (r.subresources.includes('status')) {
        if (current.status === undefined) delete next.status;
        else next.status = current.status;
      }
      // Only the namespace controller changes a namespace's spec.finalizers (via /finalize in the real API).
      if (r === NAMESPACES)
        next.spec = {
          ...(isPlainObject(next.spec) ? next.spec : {}),
          finalizers: (current.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [],
        };
      if (current.metadata.deletionTimestamp) {
        const before = new Set(current.metadata.finalizers ?? []);
        if ((next.metadata.finalizers ?? []).some((f) => !before.has(f)))
          throw invalid(
            r,
            name,
            'metadata.finalizers',
            'Forbidden: no new finalizers can be added if the object is being deleted',
          );
      }
      // Defaults first, as the real server decodes them in: sending back what was read changes nothing.
      applySchemaDefaults(next);
      if (specChanged(current, next)) next.metadata.generation = (current.metadata.generation ?? 0) + 1;
      this.prepare(next, false);
    }
    next.metadata.resourceVersion = current.metadata.resourceVersion;
    this.admit(ctx, {
      operation: 'UPDATE',
      resource: r,
      subresource,
      name,
      namespace: ns,
      object: next,
      oldObject: current,
    });
    if (ctx.dryRun) return next;
    // A write that changes nothing is not a write: no new resourceVersion, as in the real server.
    if (isDeepStrictEqual(next, current)) return current;
    return this.commit(r, next);
  }

  patch(
    r: ResourceType,
    ns: string | undefined,
    name: string,
    type: PatchType,
    body: unknown,
    ctx: RequestContext,
    opts: { subresource?: 'status'; fieldManager?: string } = {},
  ): KubeObject {
    const current = this.store.get(r, ns, name);
    if (type === PATCH_TYPES.apply) {
      if (!opts.fieldManager)
        throw new KubeApiError(
          failureStatus(
            'Invalid',
            'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
          ),
        );
      if (!current && !opts.subresource) {
        const o = isPlainObject(body) ? structuredClone(body) : {};
        return this.create(r, ns, { ...o, metadata: { ...(isPlainObject(o.metadata) ? o.metadata : {}), name } }, ctx);
      }
    }
    if (!current) throw notFound(r, name);
    return this.update(r, ns, name, patched(type, current, body), ctx, opts.subresource);
  }

  delete(
    r: ResourceType,
    ns: string | undefined,
    name: string,
    opts: DeleteOptions,
    ctx: RequestContext,
  ): DeleteResult {
    const current = this.get(r, ns, name);
    checkPreconditions(r, current, opts);
    const policy = propagationOf(r, name, opts);
    this.admit(ctx, { operation: 'DELETE', resource: r, name, namespace: ns, object: null, oldObject: current });
    if (r === NAMESPACES && current.metadata.deletionTimestamp)
      throw conflict(
        r,
        name,
        'The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.',
      );
    const remaining = planDeletion(this.store, this.clock, r, current, policy);
    if (ctx.dryRun) return remaining ? { remaining } : { gone: current };
    if (remaining) return { remaining: isDeepStrictEqual(remaining, current) ? current : this.commit(r, remaining) };
    const gone = this.store.remove(r, ns, name)!;
    this.onWrite();
    return { gone };
  }

  deleteCollection(
    r: ResourceType,
    ns: string | undefined,
    list: KubeListOptions,
    opts: DeleteOptions,
    ctx: RequestContext,
  ): KubeList {
    const result = this.list(r, ns, { labelSelector: list.labelSelector, fieldSelector: list.fieldSelector });
    result.items = result.items.map((o) => {
      const d = this.delete(r, o.metadata.namespace, o.metadata.name ?? '', opts, ctx);
      return d.remaining ?? d.gone;
    });
    return result;
  }

  readScale(r: ResourceType, ns: string | undefined, name: string): KubeObject {
    return toScale(this.get(r, ns, name));
  }

  updateScale(r: ResourceType, ns: string | undefined, name: string, scale: unknown, ctx: RequestContext): KubeObject {
    const current = this.get(r, ns, name);
    if (!isPlainObject(scale)) throw badRequest('the body of the request was in an unknown format');
    const meta = (isPlainObject(scale.metadata) ? scale.metadata : {}) as ObjectMeta;
    if (meta.name && meta.name !== name)
      throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
    checkVersion(r, current, meta);
    const replicas = replicasOf(scale);
    if (replicas === undefined)
      throw invalid(r, name, 'spec.replicas', 'Invalid value: must be greater than or equal to 0');
    const next = structuredClone(current);
    next.spec = { ...(next.spec as object), replicas };
    if (specChanged(current, next)) next.metadata.generation = (current.metadata.generation ?? 0) + 1;
    settleWorkloadStatus(next, kubeTimestamp(this.clock));
    this.admit(ctx, {
      operation: 'UPDATE',
      resource: r,
      subresource: 'scale',
      name,
      namespace: ns,
      object: toScale(next),
      oldObject: toScale(current),
    });
    if (ctx.dryRun || isDeepStrictEqual(next, current)) return toScale(next);
    return toScale(this.commit(r, next));
  }

  patchScale(
    r: ResourceType,
    ns: string | undefined,
    name: string,
    type: PatchType,
    body: unknown,
    ctx: RequestContext,
  ): KubeObject {
    return this.updateScale(r, ns, name, patched(type, this.readScale(r, ns, name), body), ctx);
  }

  /** Inserts objects as they are, bypassing validation and admission; missing namespaces are created. */
  seed(objects: unknown[]): KubeObject[] {
    const out = objects.map((raw) => {
      const o = structuredClone(raw) as KubeObject;
      const r = isPlainObject(o) ? resourceForObject(o) : undefined;
      if (!r)
        throw new Error(
          `seed: the emulator does not serve ${JSON.stringify((raw as KubeObject)?.apiVersion)} ${JSON.stringify((raw as KubeObject)?.kind)}`,
        );
      o.apiVersion = apiVersionOf(r);
      o.metadata = isPlainObject(o.metadata) ? o.metadata : {};
      if (!o.metadata.name) throw new Error(`seed: a ${r.kind} needs metadata.name`);
      if (r.namespaced) o.metadata.namespace ??= 'default';
      else delete o.metadata.namespace;
      const ns = o.metadata.namespace;
      if (ns && !this.store.get(NAMESPACES, undefined, ns))
        this.seed([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }]);
      const existing = this.store.get(r, ns, o.metadata.name);
      const m = o.metadata;
      m.uid ??= existing?.metadata.uid ?? newUid();
      m.creationTimestamp ??= existing?.metadata.creationTimestamp ?? kubeTimestamp(this.clock);
      m.generation ??= 1;
      const status = o.status;
      this.prepare(o, true);
      if (status !== undefined) o.status = status;
      return this.store.put(r, o);
    });
    this.onWrite();
    return out;
  }

  /** A controller's create: the server fills in uid, timestamps and defaults; no admission. */
  systemCreate(r: ResourceType, o: KubeObject): KubeObject {
    const m = o.metadata;
    m.uid = newUid();
    m.creationTimestamp = kubeTimestamp(this.clock);
    m.generation = 1;
    const status = o.status;
    this.prepare(o, true);
    if (status !== undefined) o.status = status;
    return this.commit(r, o);
  }

  /** A controller's write: no admission, same bookkeeping. */
  systemWrite(r: ResourceType, o: KubeObject): KubeObject {
    return this.commit(r, o);
  }

  systemRemove(r: ResourceType, o: KubeObject): void {
    if (this.store.remove(r, o.metadata.namespace, o.metadata.name ?? '')) this.onWrite();
  }

  private prepare(o: KubeObject, isNew: boolean): void {
    normalize(o);
    applySchemaDefaults(o);
    if (isNew) {
      applyCreateDefaults(o);
      provisionLoadBalancer(o);
    }
    const bad = invalidField(o);
    const r = resourceForObject(o)!;
    if (bad) throw invalid(r, o.metadata.name ?? '', bad.field, bad.why);
    settleWorkloadStatus(o, kubeTimestamp(this.clock));
  }

  /**
   * Stores a change. An object being deleted whose last finalizer was just removed goes away
   * instead; for a namespace that includes `spec.finalizers`, which the namespace controller clears.
   */
  private commit(r: ResourceType, o: KubeObject): KubeObject {
    const m = o.metadata;
    const specFinalizers =
      r === NAMESPACES ? ((o.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []) : [];
    let stored: KubeObject;
    if (m.deletionTimestamp && !m.finalizers?.length && !specFinalizers.length)
      stored = this.store.remove(r, m.namespace, m.name ?? '') ?? o;
    else stored = this.store.put(r, o);
    this.onWrite();
    return stored;
  }

  private admit(ctx: RequestContext, req: Omit<AdmissionRequest, 'user' | 'dryRun'>): void {
    // As in Kubernetes, admission policies never apply to the admission configuration itself.
    if (req.resource.group === 'admissionregistration.k8s.io') return;
    const verdict = admit(this.store, { ...req, user: ctx.user, dryRun: ctx.dryRun });
    ctx.warnings.push(...verdict.warnings);
    if (verdict.denied) throw verdict.denied;
  }

  private checkBody(r: ResourceType, body: unknown, ns: string | undefined): KubeObject {
    if (!isPlainObject(body)) throw badRequest('the body of the request was in an unknown format');
    if (
      (body.kind !== undefined && body.kind !== r.kind) ||
      (body.apiVersion !== undefined && body.apiVersion !== apiVersionOf(r))
    )
      throw badRequest(
        `the API version in the data (${String(body.apiVersion)}) and kind (${String(body.kind)}) do not match the expected ${apiVersionOf(r)} ${r.kind}`,
      );
    const cannotDecode = undecodable(r, body);
    if (cannotDecode) throw badRequest(cannotDecode);
    const o = structuredClone(body) as KubeObject;
    o.kind = r.kind;
    o.apiVersion = apiVersionOf(r);
    o.metadata = isPlainObject(o.metadata) ? o.metadata : {};
    if (r.namespaced) {
      if (o.metadata.namespace && o.metadata.namespace !== ns)
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      o.metadata.namespace = ns;
    } else delete o.metadata.namespace;
    return o;
  }

  private checkNamespaceAcceptsContent(r: ResourceType, ns: string | undefined, name: string): void {
    if (!r.namespaced) return;
    const namespace = this.store.get(NAMESPACES, undefined, ns ?? '');
    if (!namespace) throw notFound(NAMESPACES, ns ?? '');
    if (namespace.metadata.deletionTimestamp)
      throw forbidden(r, name, `unable to create new content in namespace ${ns} because it is being terminated`);
  }
}

function checkVersion(r: ResourceType, current: KubeObject, meta: ObjectMeta): void {
  const name = current.metadata.name ?? '';
  if (meta.uid && meta.uid !== current.metadata.uid)
    throw conflict(
      r,
      name,
      `Precondition failed: UID in precondition: ${meta.uid}, UID in object meta: ${current.metadata.uid}`,
    );
  if (meta.resourceVersion && meta.resourceVersion !== current.metadata.resourceVersion)
    throw staleResourceVersion(r, name);
}

function patched(type: PatchType, current: KubeObject, body: unknown): KubeObject {
  let result: unknown;
  try {
    result = applyPatch(type, current, body);
  } catch (err) {
    if (err instanceof PatchError) throw new KubeApiError(failureStatus('Invalid', err.message));
    throw err;
  }
  if (!isPlainObject(result)) throw badRequest('the patch did not produce an object');
  return result as KubeObject;
}

const listKey = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

function decodeContinue(token: string): string {
  try {
    const after = (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown }).after;
    if (typeof after === 'string') return after;
  } catch {
    // fall through to the error below
  }
  throw badRequest('continue key is not valid');
}
