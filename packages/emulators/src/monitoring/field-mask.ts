import type protobuf from 'protobufjs';
import { ApiError } from './api-error.js';
import { messageType } from './proto-definitions.js';

export type Json = Record<string, unknown>;

const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * Applies an update with a FieldMask (https://protobuf.dev/reference/protobuf/google.protobuf/#field-mask):
 * each path (snake_case, dotted into sub-messages; a map entry as `<map>.<key>`) is set from `patch` or, when the
 * patch does not have it, cleared. Paths must name real fields of `typeName`: an unknown one is INVALID_ARGUMENT.
 * `allowed` limits the top-level fields an update may touch, as some APIs document.
 */
export function applyFieldMask(
  current: Json,
  patch: Json,
  paths: string[],
  typeName: string,
  opts: { allowed?: string[]; field: string },
): Json {
  const result = structuredClone(current);
  for (const path of paths) {
    const parts = path.split('.');
    let type: protobuf.Type | undefined = messageType(typeName);
    let target: Json = result;
    let source: Json | undefined = patch;
    for (let i = 0; i < parts.length; i++) {
      const raw = parts[i]!;
      if (!type) throw new ApiError('INVALID_ARGUMENT', `${opts.field}: invalid path "${path}"`);
      // `user_label.KEY` is accepted for `user_labels.KEY`, as the API's examples write it.
      const name = camel(raw === 'user_label' ? 'user_labels' : raw);
      const field: protobuf.Field | undefined = type.fields[name];
      if (!field) throw new ApiError('INVALID_ARGUMENT', `${opts.field}: "${path}" is not a field of ${type.name}`);
      if (i === 0 && opts.allowed && !opts.allowed.includes(raw))
        throw new ApiError(
          'INVALID_ARGUMENT',
          `${opts.field}: "${raw}" cannot be updated (allowed: ${opts.allowed.join(', ')})`,
        );
      const last = i === parts.length - 1;
      if (field.map && !last) {
        if (i !== parts.length - 2) throw new ApiError('INVALID_ARGUMENT', `${opts.field}: invalid path "${path}"`);
        const key = parts[i + 1]!;
        const map = { ...((target[name] as Json | undefined) ?? {}) };
        const value = (source?.[name] as Json | undefined)?.[key];
        if (value === undefined) delete map[key];
        else map[key] = value;
        if (Object.keys(map).length) target[name] = map;
        else delete target[name];
        break;
      }
      if (last) {
        const value = source?.[name];
        if (value === undefined) delete target[name];
        else target[name] = structuredClone(value);
        break;
      }
      if (field.repeated)
        throw new ApiError('INVALID_ARGUMENT', `${opts.field}: cannot descend into repeated "${raw}"`);
      field.resolve();
      type = field.resolvedType && 'fields' in field.resolvedType ? (field.resolvedType as protobuf.Type) : undefined;
      target[name] ??= {};
      target = target[name] as Json;
      source = source?.[name] as Json | undefined;
    }
  }
  return result;
}
