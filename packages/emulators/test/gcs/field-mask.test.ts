import { describe, expect, it } from 'vitest';
import { GcsError } from '../../src/gcs/errors.js';
import { FieldMask } from '../../src/gcs/field-mask.js';

const object = (name: string) => ({
  kind: 'storage#object',
  name,
  generation: '1',
  size: '3',
  md5Hash: 'md5',
  crc32c: 'crc',
  metadata: { owner: 'gw-1', seq: '7' },
  owner: { entity: 'user-1', entityId: 'e1' },
});
const listing = { kind: 'storage#objects', prefixes: ['a/'], items: [object('a'), object('b')], nextPageToken: 'next' };
const cut = (mask: string, value: unknown = listing) => FieldMask.parse(mask).apply(value);

describe('FieldMask', () => {
  it('keeps top-level fields, and sub-selects inside every element of an array', () => {
    expect(cut('nextPageToken,items(name,generation,size,md5Hash,crc32c,metadata)')).toEqual({
      items: ['a', 'b'].map((name) => ({
        name,
        generation: '1',
        size: '3',
        md5Hash: 'md5',
        crc32c: 'crc',
        metadata: { owner: 'gw-1', seq: '7' },
      })),
      nextPageToken: 'next',
    });
    expect(cut('prefixes')).toEqual({ prefixes: ['a/'] });
  });

  it('follows a/b paths and nested parentheses, in the resource’s own key order', () => {
    expect(cut('items/metadata/seq,items/name')).toEqual({
      items: [
        { name: 'a', metadata: { seq: '7' } },
        { name: 'b', metadata: { seq: '7' } },
      ],
    });
    expect(cut('items(owner(entity),metadata/owner)')).toEqual({
      items: [
        { metadata: { owner: 'gw-1' }, owner: { entity: 'user-1' } },
        { metadata: { owner: 'gw-1' }, owner: { entity: 'user-1' } },
      ],
    });
    expect(Object.keys(cut('size,name,kind', object('x')) as object)).toEqual(['kind', 'name', 'size']);
  });

  it('takes selections as a union, with * keeping a whole level', () => {
    expect(cut('metadata/seq,metadata', object('x'))).toEqual({ metadata: { owner: 'gw-1', seq: '7' } });
    expect(cut('metadata,metadata/seq', object('x'))).toEqual({ metadata: { owner: 'gw-1', seq: '7' } });
    expect(cut('*')).toEqual(listing);
    expect(cut('kind,*')).toEqual(listing);
    expect(cut('items/*,kind')).toEqual({ kind: 'storage#objects', items: listing.items });
    expect(cut('items(name,*)')).toEqual({ items: listing.items });
  });

  it('leaves out what the value does not have, and passes scalars whole', () => {
    expect(
      cut('done,rewriteToken,resource(name,size)', { kind: 'storage#rewriteResponse', done: false, rewriteToken: 't' }),
    ).toEqual({
      done: false,
      rewriteToken: 't',
    });
    expect(cut('name(first)', object('x'))).toEqual({ name: 'x' });
    expect(cut(' name , size ', object('x'))).toEqual({ name: 'x', size: '3' });
  });

  it.each([
    '',
    'name,',
    ',name',
    'items(name',
    'items(name))',
    'items()',
    'items/',
    'a//b',
    '(name)',
    'items(name)size',
    '*/name',
    '*(name)',
  ])('rejects the malformed mask %j as an invalid parameter', (mask) => {
    let error: unknown;
    try {
      FieldMask.parse(mask);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GcsError);
    expect(error).toMatchObject({ code: 400, reason: 'invalidParameter', parameter: 'fields' });
  });
});
