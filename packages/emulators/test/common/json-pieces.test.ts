import { expect, it } from 'vitest';
import { jsonPieces } from '../../src/common/json-pieces.js';

const item = (i: number) => ({
  name: `logical/${i}/ü✉️\u{1F4E6}"\\\n`,
  size: String(i),
  metadata: { seq: String(i) },
  skipped: undefined,
  nested: [i, null],
});

it.each([
  ['a scalar', 'text'],
  ['null', null],
  ['an object without arrays', { kind: 'storage#object', size: '3', gone: undefined }],
  ['an empty object', {}],
  ['an object of nothing but undefined', { gone: undefined }],
  [
    'a listing page larger than a piece',
    {
      kind: 'storage#objects',
      prefixes: ['a/', 'b/'],
      items: Array.from({ length: 2000 }, (_, i) => item(i)),
      nextPageToken: 'next',
    },
  ],
  ['a top-level array with holes and undefined', [1, undefined, () => 0, item(1), [2, 3]]],
  ['empty arrays and a function value', { items: [], prefixes: [], fn: () => 0, last: 'x' }],
])('encodes %s exactly as JSON.stringify does', (_, body) => {
  expect(jsonPieces(body).join('')).toBe(JSON.stringify(body));
});

it('cuts a large page into pieces of about 16 K characters, and leaves a small body whole', () => {
  const page = { kind: 'storage#objects', items: Array.from({ length: 2000 }, (_, i) => item(i)) };
  const pieces = jsonPieces(page);
  expect(pieces.length).toBeGreaterThan(5);
  expect(pieces.every((piece) => piece.length < 17 * 1024)).toBe(true);
  expect(jsonPieces(item(1))).toEqual([JSON.stringify(item(1))]);
});
