import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGcsEmulator, type GcsEmulator } from '../../src/gcs/index.js';
import { PathPattern, pathSegments } from '../../src/gcs/path-pattern.js';

const match = (pattern: string, path: string) => new PathPattern(pattern).match(pathSegments(path));

describe('path patterns of the route table (gorilla/mux syntax, as fake-gcs-server writes its routes)', () => {
  it('takes one segment per {name}, percent-decoded, so an encoded "/" stays in the object name', () => {
    expect(match('/b/{bucket}/o/{object...}', '/b/vault/o/sys%2Ftoken%2Fid')).toEqual({
      bucket: 'vault',
      object: 'sys/token/id',
    });
    expect(match('/b/{bucket}', '/b/vault/o')).toBeUndefined();
  });

  it('lets {name...} take raw slashes, as few segments as the rest of the pattern allows', () => {
    const rewrite = '/b/{bucket}/o/{object...}/{copy:rewriteTo|copyTo}/b/{toBucket}/o/{toObject...}';
    expect(match(rewrite, '/b/a/o/x/y/rewriteTo/b/c/o/z/w')).toEqual({
      bucket: 'a',
      object: 'x/y',
      copy: 'rewriteTo',
      toBucket: 'c',
      toObject: 'z/w',
    });
    expect(match(rewrite, '/b/a/o/x/moveTo/b/c/o/z')).toBeUndefined();
    expect(match('/b/{bucket}/o/{object...}/restore', '/b/a/o/restore')).toBeUndefined();
    expect(match('/b/{bucket}/o/{object...}/restore', '/b/a/o/logs/restore')).toEqual({ bucket: 'a', object: 'logs' });
  });
});

describe('the GCS emulator router', () => {
  let emu: GcsEmulator;
  beforeAll(async () => {
    emu = await startGcsEmulator();
  });
  afterAll(() => emu.close());

  // A path the API has, asked with a method it does not take, answers 405 (as GCS and gorilla/mux do); others 404.
  it('answers 405 for a known path with another method and 404 for an unknown path', async () => {
    expect((await fetch(`${emu.url}/storage/v1/b/some-bucket/o`, { method: 'DELETE' })).status).toBe(405);
    expect((await fetch(`${emu.url}/storage/v1/b/some-bucket/acl`)).status).toBe(404);
    expect((await fetch(`${emu.url}/storage/v2/b`)).status).toBe(404);
  });
});
