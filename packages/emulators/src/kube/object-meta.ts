import { createHash, randomUUID } from 'node:crypto';
import type { EmulatorClock } from '../common/clock.js';
import type { KubeObject } from './store.js';

/** Kubernetes timestamps have second precision: `2024-05-01T10:00:00Z`. */
export const kubeTimestamp = (clock: EmulatorClock): string =>
  clock
    .now()
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z');

export const newUid = (): string => randomUUID();

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** The 5-character suffix the API server appends to `generateName`. */
export function generatedName(prefix: string): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += ALPHANUMS[Math.floor(Math.random() * ALPHANUMS.length)];
  return `${prefix}${s}`;
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The message the API server gives when a name is not a lowercase RFC 1123 subdomain, or undefined if it is. */
export function invalidNameReason(name: string): string | undefined {
  if (name.length <= 253 && DNS1123_SUBDOMAIN.test(name)) return undefined;
  return `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`;
}

/** Deterministic 16 bits from an object's uid, for stable fake IP addresses. */
export function uidBits(uid: string | undefined): [number, number] {
  const h = createHash('sha256')
    .update(uid ?? '')
    .digest();
  return [h[0], Math.max(1, h[1] % 255)];
}

/**
 * True when two objects differ anywhere but metadata and status: the rule for bumping `generation`.
 * Key order does not count (a client sends fields in its own order).
 */
export function specChanged(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) =>
    sortedJson(Object.fromEntries(Object.entries(o).filter(([k]) => k !== 'metadata' && k !== 'status')));
  return strip(a) !== strip(b);
}

function sortedJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(sortedJson).join(',')}]`;
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${sortedJson(o[k])}`)
    .join(',')}}`;
}
