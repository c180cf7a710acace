import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as grpc from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import type { FaultInjector } from '../common/faults.js';
import { serveRecordedGrpc } from '../common/grpc-serve.js';
import type { RequestLog } from '../common/request-log.js';
import {
  CloudBuildError,
  parseParent,
  parseTriggerName,
  TriggerStore,
  type BuildTrigger,
  type TriggerRef,
  type TriggerSeed,
} from './trigger-store.js';

export interface CloudBuildEmulatorOptions {
  /** Keep triggers here (one JSON file), and load them from here at start. */
  dataDir?: string;
  log?: RequestLog;
  faults?: FaultInjector;
  /** Triggers to create at start unless one of that name already exists in its location. */
  seed?: TriggerSeed[];
}

export interface CloudBuildEmulator {
  /** `127.0.0.1:<port>`, insecure gRPC: what `env.emulators.cloudbuild` takes. */
  host: string;
  port: number;
  log: RequestLog;
  faults: FaultInjector;
  triggers: TriggerStore;
  close(): Promise<void>;
}

/**
 * Cloud Build's trigger methods (`google.devtools.cloudbuild.v1.CloudBuild`: ListBuildTriggers, GetBuildTrigger,
 * UpdateBuildTrigger) over insecure gRPC, with the messages of the `@google-cloud/cloudbuild` client's own bundled
 * protos, behind the gRPC recorder (every call logged as service `cloudbuild`; faults injected). The other methods
 * answer UNIMPLEMENTED.
 */
export async function startCloudBuildEmulator(opts: CloudBuildEmulatorOptions = {}): Promise<CloudBuildEmulator> {
  const triggers = new TriggerStore(opts.dataDir);
  for (const s of opts.seed ?? [])
    if (!triggers.list(s.project, s.location).some((t) => t.name === s.trigger.name))
      triggers.create(s.project, s.location, s.trigger);

  const server = new grpc.Server();
  server.addService(cloudBuildService(), {
    ListBuildTriggers: unary((req: ListRequest) => listTriggers(triggers, req)),
    GetBuildTrigger: unary((req: GetRequest) => triggers.get(getRef(req))),
    UpdateBuildTrigger: unary((req: UpdateRequest) => {
      const { ref, paths } = updateRef(req);
      return triggers.update(ref, req.trigger ?? {}, paths);
    }),
  });
  const recorder = await serveRecordedGrpc(server, { service: 'cloudbuild', log: opts.log, faults: opts.faults });
  return {
    host: recorder.host,
    port: recorder.port,
    log: recorder.log,
    faults: recorder.faults,
    triggers,
    close: recorder.close,
  };
}

interface ListRequest {
  parent?: string;
  projectId?: string;
  pageSize?: number;
  pageToken?: string;
}
interface GetRequest {
  name?: string;
  projectId?: string;
  triggerId?: string;
}
interface UpdateRequest {
  projectId?: string;
  triggerId?: string;
  trigger?: BuildTrigger;
  updateMask?: { paths?: string[] };
}

function listTriggers(store: TriggerStore, req: ListRequest) {
  const where = req.parent
    ? parseParent(req.parent)
    : req.projectId
      ? { project: req.projectId, location: 'global' }
      : undefined;
  if (!where) throw new CloudBuildError('INVALID_ARGUMENT', `invalid parent "${req.parent ?? ''}"`);
  const all = store.list(where.project, where.location);
  const offset = Number(req.pageToken || 0);
  const size = req.pageSize && req.pageSize > 0 ? req.pageSize : all.length;
  return {
    triggers: all.slice(offset, offset + size),
    nextPageToken: offset + size < all.length ? String(offset + size) : '',
  };
}

/** `name` (the regional form), else `project_id` + `trigger_id` for a global trigger, as GetBuildTriggerRequest allows. */
function getRef(req: GetRequest): TriggerRef {
  if (req.name) {
    const ref = parseTriggerName(req.name);
    if (!ref) throw new CloudBuildError('INVALID_ARGUMENT', `invalid trigger name "${req.name}"`);
    return ref;
  }
  if (!req.projectId || !req.triggerId)
    throw new CloudBuildError('INVALID_ARGUMENT', 'project_id and trigger_id are required');
  return { project: req.projectId, location: 'global', trigger: req.triggerId };
}

/** The location comes from `trigger.resource_name`, which is also what the client routes a regional update by. */
function updateRef(req: UpdateRequest): { ref: TriggerRef; paths: string[] } {
  if (!req.projectId || !req.triggerId || !req.trigger)
    throw new CloudBuildError('INVALID_ARGUMENT', 'project_id, trigger_id and trigger are required');
  const named = req.trigger.resourceName ? parseTriggerName(req.trigger.resourceName) : undefined;
  if (req.trigger.resourceName && !named)
    throw new CloudBuildError('INVALID_ARGUMENT', `invalid trigger.resource_name "${req.trigger.resourceName}"`);
  if (named && named.project !== req.projectId)
    throw new CloudBuildError('INVALID_ARGUMENT', `trigger.resource_name is not in project ${req.projectId}`);
  return {
    ref: { project: req.projectId, location: named?.location ?? 'global', trigger: req.triggerId },
    paths: req.updateMask?.paths ?? [],
  };
}

function unary<Req>(handle: (req: Req) => unknown): grpc.handleUnaryCall<Req, unknown> {
  return (call, callback) => {
    try {
      callback(null, handle(call.request));
    } catch (err) {
      if (err instanceof CloudBuildError) return callback({ code: grpc.status[err.code], details: err.message });
      callback({ code: grpc.status.INTERNAL, details: (err as Error).message });
    }
  };
}

/**
 * The client library's bundled protobuf definitions (data only; its code is not loaded here). Loaded sparse:
 * a field the client did not send stays absent, as proto3 leaves it, so a stored trigger holds what was sent.
 */
function cloudBuildService(): grpc.ServiceDefinition {
  const require = createRequire(import.meta.url);
  const json = JSON.parse(readFileSync(require.resolve('@google-cloud/cloudbuild/build/protos/protos.json'), 'utf8'));
  const pkg = grpc.loadPackageDefinition(
    fromJSON(json, { keepCase: false, longs: String, enums: String, defaults: false, oneofs: false }),
  ) as unknown as {
    google: { devtools: { cloudbuild: { v1: { CloudBuild: { service: grpc.ServiceDefinition } } } } };
  };
  return pkg.google.devtools.cloudbuild.v1.CloudBuild.service;
}
