import { describe, expect, it } from 'vitest';
import { formatCheckpoint, openCheckpoint, parseCheckpoint, signCheckpoint } from '../../src/lib/tlog/checkpoint.js';
import { leafHash, rootFromLeafHashes } from '../../src/lib/tlog/merkle.js';
import {
  InvalidSignatureError,
  noteSignerFromKey,
  noteVerifierFromKey,
  UnverifiedNoteError,
} from '../../src/lib/tlog/note.js';
import {
  ARCHE_CHECKPOINT,
  ARCHE_VKEY,
  b64,
  hex,
  sha256hex,
  TESSERA_ENTRIES,
  TESSERA_ORIGIN,
  TESSERA_SHA256,
  TESSERA_SKEY,
  TESSERA_VKEY,
} from './helpers.js';

describe('checkpoint text', () => {
  // golang.org/x/mod/sumdb/tlog note_test.go TestFormatTree: the go.sum tree note is a checkpoint with that origin.
  const GOLDEN = 'go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n';

  it('formats as Go formats the sumdb tree', () => {
    expect(
      formatCheckpoint({
        origin: 'go.sum database tree',
        size: 123456789012,
        rootHash: leafHash(Buffer.from('hello world')),
      }),
    ).toBe(GOLDEN);
  });

  // note_test.go TestParseTree
  it('parses as Go parses the sumdb tree', () => {
    const c = parseCheckpoint(GOLDEN);
    expect([c.origin, c.size, hex(c.rootHash)]).toEqual([
      'go.sum database tree',
      123456789012,
      hex(leafHash(Buffer.from('hello world'))),
    ]);
    expect(() =>
      parseCheckpoint('go.sum database tree\n0xabcdef\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n'),
    ).toThrow(/not a decimal/);
    expect(() =>
      parseCheckpoint('go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBTOOBIG=\n'),
    ).toThrow(/root hash/);
    // Go ignores what follows; C2SP makes it extension lines, which must be whole, non-empty lines.
    expect(parseCheckpoint(`${GOLDEN}JOE\n`).extensions).toEqual(['JOE']);
    expect(parseCheckpoint(GOLDEN + 'JOE\n'.repeat(1000)).extensions).toHaveLength(1000);
    expect(() => parseCheckpoint(`${GOLDEN}JOE`)).toThrow(/end with a newline/);
  });

  // c2sp.org/tlog-checkpoint: the example's note text.
  it('parses the spec example', () => {
    const c = parseCheckpoint('example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n');
    expect([c.origin, c.size, Buffer.from(c.rootHash).toString('base64')]).toEqual([
      'example.com/behind-the-sofa',
      20852163,
      'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=',
    ]);
    expect(formatCheckpoint(c)).toBe(
      'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
    );
  });

  it.each([
    ['empty origin', '\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n'],
    ['leading zero', 'o\n01\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n'],
    ['negative size', 'o\n-1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n'],
    ['exponent', 'o\n1e3\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n'],
    ['padded size', 'o\n 1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n'],
    ['size beyond 2^53', 'o\n9007199254740993\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n'],
    ['short hash', 'o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2==\n'],
    ['long hash', 'o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2IA\n'],
    ['unpadded hash', 'o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n'],
    ['two lines', 'o\n1\n'],
    ['empty extension line', 'o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\nx\n'],
    ['control character', 'o\t\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n'],
  ])('rejects %s', (_why, text) => expect(() => parseCheckpoint(text)).toThrow(/malformed/));

  it('refuses to format what it could not parse', () => {
    const rootHash = new Uint8Array(32);
    expect(() => formatCheckpoint({ origin: '', size: 1, rootHash })).toThrow();
    expect(() => formatCheckpoint({ origin: 'a\nb', size: 1, rootHash })).toThrow();
    expect(() => formatCheckpoint({ origin: 'o', size: -1, rootHash })).toThrow();
    expect(() => formatCheckpoint({ origin: 'o', size: 1, rootHash: new Uint8Array(31) })).toThrow();
    expect(() => formatCheckpoint({ origin: 'o', size: 1, rootHash, extensions: [''] })).toThrow();
    expect(formatCheckpoint({ origin: 'o', size: 0, rootHash, extensions: ['x y'] })).toBe(
      `o\n0\n${'A'.repeat(43)}=\nx y\n`,
    );
  });
});

describe('signed checkpoints', () => {
  // github.com/transparency-dev/tessera testdata/log/checkpoint.<n>, written by tessera with TESSERA_SKEY (see helpers.ts):
  // Ed25519 is deterministic, so our checkpoint of the same tree signed with the same key must be the same bytes.
  it('reproduce and open the tessera checkpoints', async () => {
    const signer = noteSignerFromKey(TESSERA_SKEY);
    const verifier = noteVerifierFromKey(TESSERA_VKEY);
    const hashes = TESSERA_ENTRIES.map((e) => leafHash(Buffer.from(e)));
    for (let n = 0; n <= 15; n++) {
      const rootHash = rootFromLeafHashes(hashes.slice(0, n));
      const file = await signCheckpoint({ origin: TESSERA_ORIGIN, size: n, rootHash }, [signer]);
      expect(sha256hex(file), `checkpoint.${n}`).toBe(TESSERA_SHA256.get(`checkpoint.${n}`));
      const { checkpoint, note } = openCheckpoint(file, [verifier], TESSERA_ORIGIN);
      expect([checkpoint.size, hex(checkpoint.rootHash)]).toEqual([n, hex(rootHash)]);
      expect(note.verified.map((s) => s.keyId)).toEqual([0x33d7b496]);
    }
  });

  // github.com/transparency-dev/formats log/note_test.go TestSumDBNoteParsing: a real sum.golang.org tree head.
  it('open a real sum.golang.org checkpoint', () => {
    const msg =
      'go.sum database tree\n6476701\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n\n— sum.golang.org Az3grsLX85Gz+s1SiTbgkuqxgItqFq7gsMUEyVnrsa9LM7Us9S+1xbFIGu95949rj4nPRYfvimWEPWL+o3GeoWwOoAw=\n';
    const v = noteVerifierFromKey('sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8');
    const { checkpoint } = openCheckpoint(msg, [v], 'go.sum database tree');
    expect([checkpoint.origin, checkpoint.size]).toEqual(['go.sum database tree', 6476701]);
    expect(() => openCheckpoint(msg, [v], 'Go rocks but I might have the wrong ID')).toThrow(/not "Go rocks/);
    expect(() => openCheckpoint(msg.replace('6476701', '6476702'), [v])).toThrow(InvalidSignatureError);
  });

  // github.com/florolf/tlog-scales tests/test_signing.py TestCheckpointVerification: a real CT log checkpoint,
  // whose other signatures (an RFC 6962 STH signature, witness cosignatures) are by keys we were not given.
  it('open a real CT log checkpoint, ignoring signatures by other keys', () => {
    const { checkpoint, note } = openCheckpoint(
      ARCHE_CHECKPOINT,
      [noteVerifierFromKey(ARCHE_VKEY)],
      'arche2025h1.staging.ct.transparency.dev',
    );
    expect(checkpoint.size).toBe(1432088532);
    expect(hex(checkpoint.rootHash)).toBe(hex(b64('U7WM79jrzyhGZ5/GUBTpM7NzwdyfFx61t3RovgcC4Ro=')));
    expect(note.verified.map((s) => s.keyId.toString(16))).toEqual(['ba2f06c0']);
    expect(note.unverified).toHaveLength(5);
    // tlog-scales test_real_checkpoint_clobbered: another size breaks the signature.
    expect(() =>
      openCheckpoint(ARCHE_CHECKPOINT.replace('1432088532', '42'), [noteVerifierFromKey(ARCHE_VKEY)]),
    ).toThrow(InvalidSignatureError);
    // tlog-scales test_missing_key_fails
    expect(() =>
      openCheckpoint(ARCHE_CHECKPOINT, [
        noteVerifierFromKey('example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k'),
      ]),
    ).toThrow(UnverifiedNoteError);
  });
});
