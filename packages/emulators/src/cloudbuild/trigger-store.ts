import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makePrivateDir, replacePrivateFile } from '../common/private-files.js';

/** A `google.devtools.cloudbuild.v1.BuildTrigger` as the client sends it (proto3 JSON field names); unknown fields are kept. */
export interface BuildTrigger {
  resourceName?: string;
  id?: string;
  name?: string;
  description?: string;
  tags?: string[];
  disabled?: boolean;
  filename?: string;
  createTime?: { seconds: string; nanos: number };
  [field: string]: unknown;
}

/** A trigger to start with, as if made in the console: its project, location (`global` or a region) and fields. */
export interface TriggerSeed {
  project: string;
  location: string;
  trigger: BuildTrigger;
}

/** Where a trigger lives: `projects/P/locations/L/triggers/T`, or `projects/P/triggers/T` for a global one. */
export interface TriggerRef {
  project: string;
  location: string;
  /** The trigger's id or its name. */
  trigger: string;
}

/** A request Cloud Build refuses, with the gRPC status it answers with. */
export class CloudBuildError extends Error {
  constructor(
    readonly code: 'NOT_FOUND' | 'INVALID_ARGUMENT' | 'ALREADY_EXISTS',
    message: string,
  ) {
    super(message);
  }
}

/** Google's wording for a missing resource (https://cloud.google.com/apis/design/errors#error_codes). */
export const NOT_FOUND_MESSAGE = 'Requested entity was not found.';

/** Fields the server sets; a client cannot change them (BuildTrigger in cloudbuild.proto marks them OUTPUT_ONLY). */
const OUTPUT_ONLY = new Set(['id', 'createTime', 'resourceName']);

export function parseTriggerName(name: string): TriggerRef | undefined {
  const m = /^projects\/([^/]+)(?:\/locations\/([^/]+))?\/triggers\/([^/]+)$/.exec(name);
  return m ? { project: m[1]!, location: m[2] ?? 'global', trigger: m[3]! } : undefined;
}

export function parseParent(parent: string): { project: string; location: string } | undefined {
  const m = /^projects\/([^/]+)\/locations\/([^/]+)$/.exec(parent);
  return m ? { project: m[1]!, location: m[2]! } : undefined;
}

const resourceName = (project: string, location: string, id: string) =>
  `projects/${project}/locations/${location}/triggers/${id}`;

/**
 * Build triggers by project and location, persisted as one JSON file when given a directory. Names are unique
 * within a location; ids are UUIDs, as Cloud Build's are.
 */
export class TriggerStore {
  private triggers: BuildTrigger[] = [];
  private readonly file?: string;

  constructor(dataDir?: string) {
    if (dataDir) {
      makePrivateDir(dataDir);
      this.file = join(dataDir, 'triggers.json');
      if (existsSync(this.file)) this.triggers = JSON.parse(readFileSync(this.file, 'utf8')) as BuildTrigger[];
    }
  }

  /** Newest first: ListBuildTriggersResponse documents `sorted by create_time descending`. */
  list(project: string, location: string): BuildTrigger[] {
    const prefix = `projects/${project}/locations/${location}/triggers/`;
    return this.triggers
      .filter((t) => t.resourceName!.startsWith(prefix))
      .sort((a, b) => Number(b.createTime!.seconds) - Number(a.createTime!.seconds))
      .map((t) => structuredClone(t));
  }

  /** By id or by name, as GetBuildTriggerRequest.trigger_id takes either. */
  get(ref: TriggerRef): BuildTrigger {
    return structuredClone(this.find(ref, true));
  }

  create(project: string, location: string, trigger: BuildTrigger, now = new Date()): BuildTrigger {
    if (!trigger.name) throw new CloudBuildError('INVALID_ARGUMENT', 'trigger name is required');
    if (this.list(project, location).some((t) => t.name === trigger.name))
      throw new CloudBuildError('ALREADY_EXISTS', `trigger (${project}, ${trigger.name}) already exists`);
    const id = randomUUID();
    const created: BuildTrigger = {
      ...structuredClone(trigger),
      id,
      resourceName: resourceName(project, location, id),
      createTime: { seconds: String(Math.floor(now.getTime() / 1000)), nanos: (now.getTime() % 1000) * 1e6 },
    };
    this.triggers.push(created);
    this.save();
    return structuredClone(created);
  }

  /**
   * UpdateBuildTrigger: with a mask, only the fields it names change (a field absent from the request takes its proto3
   * default: false, empty); without one, every mutable field is replaced. `ref.trigger` is the id (the request's
   * `trigger_id`, "ID of the BuildTrigger to update").
   */
  update(ref: TriggerRef, patch: BuildTrigger, maskPaths: string[]): BuildTrigger {
    const current = this.find(ref, false);
    if (patch.resourceName && patch.resourceName !== current.resourceName)
      throw new CloudBuildError(
        'INVALID_ARGUMENT',
        `trigger.resource_name ${patch.resourceName} does not name trigger ${current.resourceName}`,
      );
    let next: BuildTrigger;
    if (maskPaths.length) {
      next = { ...current };
      for (const path of maskPaths) {
        const field = camelCase(path);
        if (OUTPUT_ONLY.has(field) || field.includes('.') || !MUTABLE_FIELDS.has(field))
          throw new CloudBuildError('INVALID_ARGUMENT', `invalid update_mask path "${path}"`);
        if (patch[field] === undefined) delete next[field];
        else next[field] = structuredClone(patch[field]);
      }
    } else {
      next = { ...structuredClone(patch), id: current.id, resourceName: current.resourceName };
      next.createTime = current.createTime;
    }
    if (!next.name) throw new CloudBuildError('INVALID_ARGUMENT', 'trigger name is required');
    this.triggers[this.triggers.indexOf(current)] = next;
    this.save();
    return structuredClone(next);
  }

  private find(ref: TriggerRef, byName: boolean): BuildTrigger {
    const prefix = `projects/${ref.project}/locations/${ref.location}/triggers/`;
    const found = this.triggers.find(
      (t) => t.resourceName!.startsWith(prefix) && (t.id === ref.trigger || (byName && t.name === ref.trigger)),
    );
    if (!found) throw new CloudBuildError('NOT_FOUND', NOT_FOUND_MESSAGE);
    return found;
  }

  private save(): void {
    if (this.file) replacePrivateFile(this.file, `${JSON.stringify(this.triggers, null, 2)}\n`);
  }
}

/** BuildTrigger's fields a client sets (cloudbuild.proto), as proto3 JSON names. */
const MUTABLE_FIELDS = new Set([
  'description',
  'name',
  'tags',
  'triggerTemplate',
  'github',
  'pubsubConfig',
  'webhookConfig',
  'autodetect',
  'build',
  'filename',
  'gitFileSource',
  'disabled',
  'substitutions',
  'ignoredFiles',
  'includedFiles',
  'filter',
  'sourceToBuild',
  'serviceAccount',
  'repositoryEventConfig',
]);

/** FieldMask paths are proto field names (`ignored_files`); the stored trigger uses JSON names. */
const camelCase = (path: string) => path.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
