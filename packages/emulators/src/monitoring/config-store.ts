import { randomBytes } from 'node:crypto';
import type * as grpc from '@grpc/grpc-js';
import { ApiError, notFound } from './api-error.js';
import type { Json } from './field-mask.js';

/** `projects/<p>` → `<p>`; anything else is INVALID_ARGUMENT, naming the request field. */
export function projectOf(parent: string | undefined, field: string): string {
  const m = /^projects\/([^/]+)$/.exec(parent ?? '');
  if (!m)
    throw new ApiError(
      'INVALID_ARGUMENT',
      `Field ${field} had an invalid value of "${parent ?? ''}": expected projects/[PROJECT_ID_OR_NUMBER]`,
    );
  return m[1]!;
}

/** Cloud Monitoring's numeric resource ids (alert policies, notification channels). */
export const numericId = () => Array.from(randomBytes(19), (b, i) => (i === 0 ? 1 + (b % 9) : b % 10)).join('');

/** Who made a change, for `creation_record` / `mutation_record`; the emulator trusts the `x-goog-user` header. */
export function mutationRecord(metadata: grpc.Metadata | undefined) {
  const by = String(metadata?.get('x-goog-user')[0] ?? 'operator@example.com');
  const now = Date.now();
  return { mutateTime: { seconds: String(Math.floor(now / 1000)), nanos: (now % 1000) * 1e6 }, mutatedBy: by };
}

/** The resources of one kind, per project, keyed by full resource name, in creation order. */
export class ConfigStore<T extends Json & { name?: string }> {
  private readonly items = new Map<string, T>();

  constructor(private readonly collection: string) {}

  nameFor(project: string, id: string): string {
    return `projects/${project}/${this.collection}/${id}`;
  }

  /** `projects/<p>/<collection>/<id>` → its parts; INVALID_ARGUMENT otherwise. */
  parse(name: string | undefined, field: string): { project: string; id: string } {
    const m = new RegExp(`^projects/([^/]+)/${this.collection}/([^/]+)$`).exec(name ?? '');
    if (!m)
      throw new ApiError(
        'INVALID_ARGUMENT',
        `Field ${field} had an invalid value of "${name ?? ''}": expected projects/[PROJECT_ID_OR_NUMBER]/${this.collection}/[ID]`,
      );
    return { project: m[1]!, id: m[2]! };
  }

  list(project: string): T[] {
    const prefix = `projects/${project}/${this.collection}/`;
    return [...this.items.values()].filter((i) => i.name!.startsWith(prefix)).map((i) => structuredClone(i));
  }

  get(name: string): T {
    const item = this.items.get(name);
    if (!item) throw notFound(name);
    return structuredClone(item);
  }

  has(name: string): boolean {
    return this.items.has(name);
  }

  insert(item: T): T {
    if (this.items.has(item.name!))
      throw new ApiError('ALREADY_EXISTS', `Requested entity already exists: ${item.name}`);
    this.items.set(item.name!, structuredClone(item));
    return structuredClone(item);
  }

  replace(item: T): T {
    if (!this.items.has(item.name!)) throw notFound(item.name!);
    this.items.set(item.name!, structuredClone(item));
    return structuredClone(item);
  }

  delete(name: string): void {
    if (!this.items.delete(name)) throw notFound(name);
  }

  clear(): void {
    this.items.clear();
  }
}

/** User labels (alert policies, uptime checks, channels): at most 64; keys and values of lowercase letters,
 * digits, `_` and `-`, up to 63 characters; keys start with a letter (AlertPolicy.user_labels in alert.proto). */
export function checkUserLabels(labels: Record<string, string> | undefined, field: string): void {
  const entries = Object.entries(labels ?? {});
  if (entries.length > 64) throw new ApiError('INVALID_ARGUMENT', `Field ${field} has more than 64 entries`);
  for (const [k, v] of entries) {
    if (!/^[a-z][a-z0-9_-]{0,62}$/.test(k))
      throw new ApiError(
        'INVALID_ARGUMENT',
        `Field ${field} had an invalid key "${k}": lowercase letters, digits, _ and -, starting with a letter, up to 63`,
      );
    if (!/^[a-z0-9_-]{0,63}$/.test(v))
      throw new ApiError(
        'INVALID_ARGUMENT',
        `Field ${field}.${k} had an invalid value "${v}": lowercase letters, digits, _ and -, up to 63`,
      );
  }
}

export const durationSeconds = (d: { seconds?: string | number; nanos?: number } | undefined) =>
  d ? Number(d.seconds ?? 0) + (d.nanos ?? 0) / 1e9 : undefined;
