import { invalid } from './errors.js';
import type { ObjectFields } from './records.js';

const STRING_FIELDS = [
  'contentType',
  'contentEncoding',
  'contentDisposition',
  'contentLanguage',
  'cacheControl',
  'customTime',
] as const;
const BOOLEAN_FIELDS = ['temporaryHold', 'eventBasedHold'] as const;

type Body = Record<string, unknown>;

function setField(fields: ObjectFields, name: keyof ObjectFields, value: unknown): void {
  if (value === null) {
    delete fields[name];
    return;
  }
  if (name === 'metadata') {
    fields.metadata = mergeMetadata({}, value);
    return;
  }
  if ((BOOLEAN_FIELDS as readonly string[]).includes(name)) {
    if (typeof value !== 'boolean') throw invalid(`Invalid value for ${name}: ${JSON.stringify(value)}`);
    (fields as Record<string, unknown>)[name] = value;
    return;
  }
  if (typeof value !== 'string') throw invalid(`Invalid value for ${name}: ${JSON.stringify(value)}`);
  if (name === 'customTime' && Number.isNaN(Date.parse(value))) throw invalid(`Invalid value for customTime: ${value}`);
  (fields as Record<string, unknown>)[name] = value;
}

/** Custom metadata merges key by key; `null` removes a key; values are strings in GCS. */
function mergeMetadata(current: Record<string, string>, patch: unknown): Record<string, string> {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw invalid('Invalid value for metadata');
  const merged = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return merged;
}

/**
 * GCS's custom metadata limits (google.storage.v2 ServiceConstants.Values: MAX_CUSTOM_METADATA_FIELD_NAME_BYTES 1 KiB,
 * MAX_CUSTOM_METADATA_FIELD_VALUE_BYTES 4 KiB, MAX_CUSTOM_METADATA_TOTAL_SIZE_BYTES 8 KiB over all names and values;
 * https://cloud.google.com/storage/docs/reference/rpc/google.storage.v2#servicevalues): a write over them is a 400.
 */
const MAX_METADATA_NAME_BYTES = 1024;
const MAX_METADATA_VALUE_BYTES = 4096;
const MAX_METADATA_TOTAL_BYTES = 8192;

function checkMetadataSize(fields: ObjectFields): ObjectFields {
  let total = 0;
  for (const [key, value] of Object.entries(fields.metadata ?? {})) {
    const name = Buffer.byteLength(key);
    const size = Buffer.byteLength(value);
    if (name > MAX_METADATA_NAME_BYTES)
      throw invalid(`Custom metadata key exceeds ${MAX_METADATA_NAME_BYTES} bytes: ${key.slice(0, 40)}…`);
    if (size > MAX_METADATA_VALUE_BYTES)
      throw invalid(`Custom metadata value of ${key} is ${size} bytes, over the limit of ${MAX_METADATA_VALUE_BYTES}`);
    total += name + size;
  }
  if (total > MAX_METADATA_TOTAL_BYTES)
    throw invalid(`Custom metadata is ${total} bytes in all, over the limit of ${MAX_METADATA_TOTAL_BYTES}`);
  return fields;
}

const WRITABLE = [...STRING_FIELDS, ...BOOLEAN_FIELDS, 'metadata'] as const;

/** Fields for a new object, or for `update`, which replaces them all; `base` supplies what the body leaves out. */
export function objectFieldsFrom(body: Body, base: ObjectFields = {}): ObjectFields {
  const fields: ObjectFields = { ...base };
  for (const name of WRITABLE) if (name in body) setField(fields, name, body[name]);
  return checkMetadataSize(fields);
}

/** A PATCH: the fields present change, `null` clears one, `metadata` merges key by key. */
export function patchObjectFields(current: ObjectFields, body: Body): ObjectFields {
  const fields: ObjectFields = { ...current };
  for (const name of WRITABLE) {
    if (!(name in body)) continue;
    if (name === 'metadata' && body.metadata !== null)
      fields.metadata = mergeMetadata(current.metadata ?? {}, body.metadata);
    else setField(fields, name, body[name]);
  }
  return checkMetadataSize(fields);
}

/** What a copy or rewrite starts from: the source's fields without its holds, which stay with the source. */
export function copiedFields(source: ObjectFields): ObjectFields {
  const { temporaryHold: _t, eventBasedHold: _e, ...rest } = source;
  return rest;
}
