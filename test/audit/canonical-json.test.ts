import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/lib/audit/record.js';

/** The definition sealed logs and manifests were written with: sorted copies, then JSON.stringify. */
function reference(value: unknown): string {
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (v && typeof v === 'object' && !(v instanceof Date)) {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
          .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(sortKeys(value));
}

describe('canonicalJson', () => {
  const cases: [string, unknown][] = [
    ['scalars', [1, -0, 1.5e300, NaN, Infinity, 'x', '', true, false, null]],
    ['nested objects, keys out of order', { b: { z: 1, a: [{ y: 2, x: 1 }] }, a: 'é"\\\n\u2028', ÄB: 1, Ab: 2, _: 3 }],
    [
      'undefined members dropped, undefined in arrays as null',
      { a: undefined, b: [undefined, () => 1], c: () => 1, d: Symbol('s') },
    ],
    [
      'integer-like keys first, numerically, as JS orders them',
      { b: 1, 10: 'ten', 2: 'two', '01': 'zero-one', 4294967295: 'max', '-1': 'neg', a: { 3: 1, 1: 2 } },
    ],
    ['dates as their ISO string', { at: new Date('2026-11-26T08:00:00Z'), list: [new Date(0)] }],
    [
      'a manifest entry',
      {
        name: 'logical/x',
        generation: '17',
        size: 3,
        crc32c: 'AAAAAA==',
        md5: 'a',
        blob: 'k',
        metadata: { 'vault-entry': '1', '0': 'z' },
      },
    ],
    ['empty containers', { a: {}, b: [], c: [[]] }],
  ];
  it.each(cases)('is byte for byte the sorted-copy definition: %s', (_, value) => {
    expect(canonicalJson(value)).toBe(reference(value));
  });
});
