import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvField, transferManifestChunks } from '../../src/lib/backup/transfer-manifest-csv.js';

// https://cloud.google.com/storage-transfer/docs/manifest: CSV in UTF-8, the object name in the first column, a name
// holding a comma enclosed in double quotes "according to CSV standards" (RFC 4180: inner quotes doubled). Read back
// with csv-parse, the RFC 4180 reader the STS emulator uses, not with a reader of our own.
const names = [
  'sys/token/id/h4a1b2c3',
  'doe,john.txt',
  'she said "hi".json',
  '"quoted"',
  'line\nbreak\r\nand CR',
  ' leading and trailing spaces ',
  'ünïcødé/ключ/鍵/🔑',
  'a,"b",c',
  `long/${'n'.repeat(995)}`,
];

const transferManifestCsv = (names: string[], chunkBytes?: number) =>
  Buffer.concat([...transferManifestChunks(names, chunkBytes)]);

describe('the Storage Transfer Service transfer manifest gwctl writes', () => {
  it('reads back, name for name, with commas, quotes, line breaks, spaces and unicode', () => {
    const rows = parse(transferManifestCsv(names), { encoding: 'utf8' }) as string[][];
    expect(rows.map((r) => r[0])).toEqual(names);
    expect(rows.every((r) => r.length === 1)).toBe(true);
  });

  it('quotes every name and doubles inner quotes', () => {
    expect(csvField('doe,john.txt')).toBe('"doe,john.txt"');
    expect(csvField('a "b"')).toBe('"a ""b"""');
    expect(transferManifestCsv(['x', 'y,z']).toString()).toBe('"x"\n"y,z"\n');
  });

  it('is UTF-8 without a byte-order mark', () => {
    const data = transferManifestCsv(['鍵']);
    expect([...data.subarray(0, 3)]).not.toEqual([0xef, 0xbb, 0xbf]);
    expect(data.toString('utf8')).toBe('"鍵"\n');
  });

  it('is empty for no names', () => {
    expect(transferManifestCsv([]).length).toBe(0);
  });

  it('comes in chunks of whole rows, which join into the same CSV whatever the chunk size', () => {
    const many = Array.from({ length: 2000 }, (_, i) => names[i % names.length]!);
    const chunks = [...transferManifestChunks(many, 4096)];
    expect(chunks.length).toBeGreaterThan(10);
    for (const c of chunks) expect(c.toString('utf8').endsWith('\n')).toBe(true);
    expect(Buffer.concat(chunks)).toEqual(transferManifestCsv(many, 1 << 30));
    expect((parse(Buffer.concat(chunks), { encoding: 'utf8' }) as string[][]).map((r) => r[0])).toEqual(many);
  });
});
