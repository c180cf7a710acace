import { createPrivateKey, sign as cryptoSign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openCheckpoint, parseCheckpoint, signCheckpoint } from '../../src/lib/tlog/checkpoint.js';
import {
  cosignatureKeyId,
  cosignatureMessage,
  cosignatureTimestamp,
  cosignatureVerifierFromKey,
  cosignerFromKey,
  ed25519Cosigner,
} from '../../src/lib/tlog/cosignature.js';
import {
  ed25519PublicKey,
  formatSignerKey,
  formatVerifierKey,
  parseVerifierKey,
  SIG_TYPE_COSIGNATURE_V1,
  SIG_TYPE_ED25519,
} from '../../src/lib/tlog/note-keys.js';
import {
  InvalidSignatureError,
  noteSignerFromKey,
  noteVerifierFromKey,
  openNote,
  parseNote,
  signNote,
  UnverifiedNoteError,
} from '../../src/lib/tlog/note.js';
import { ARCHE_CHECKPOINT, ARCHE_VKEY, b64, hex } from './helpers.js';

// c2sp.org/tlog-cosignature: the example checkpoint and its signed message.
const SOFA = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
// The public witness remora.n621.de's cosignature key (type 0x04), as listed in github.com/transparency-dev/formats
// witness/witness_policy_test.go and note/note_cosigv1_test.go TestCoSigV1NewVerifier.
const REMORA_VKEY = 'remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2';

describe('cosignature/v1 format', () => {
  // c2sp.org/tlog-cosignature "Ed25519 signed message"
  it('builds the spec example message', () => {
    expect(Buffer.from(cosignatureMessage(SOFA, 1679315147)).toString()).toBe(
      'cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
    );
  });

  // c2sp.org/tlog-cosignature: the example note's witness line is key ID ‖ timestamp ‖ 64-byte signature, and its
  // timestamp is the one of the example message.
  it('reads the spec example cosignature line', () => {
    const note = parseNote(
      `${SOFA}\n— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n` +
        '— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n',
    );
    const witness = note.signatures[1]!;
    expect([witness.name, witness.keyId.toString(16), witness.signature.length]).toEqual([
      'witness.example.com/w1',
      '8d66cf3f',
      72,
    ]);
    expect(cosignatureTimestamp(witness)).toBe(1679315147);
  });

  // github.com/transparency-dev/formats note/note_cosigv1_test.go TestCoSigV1Timestamp
  it('reads timestamps as transparency-dev/formats does', () => {
    const sig = (line: string) => {
      const raw = b64(line);
      return { name: 'w', keyId: raw.readUInt32BE(0), signature: raw.subarray(4) };
    };
    expect(
      cosignatureTimestamp(
        sig('ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOworDcFiEBYJXORmnFBOBA=='),
      ),
    ).toBe(1727964367);
    // "wrong type of signature": a plain Ed25519 note signature has no timestamp.
    expect(() =>
      cosignatureTimestamp(
        sig('eQjRQm6eSKzFoiYalgwCPXu2y3ijtg68is9M46JKxuZB+dRfTmeQeDBoXnvxZx2ugnkyV+MUMLXpWs1hPb/W/4xkNQY='),
      ),
    ).toThrow(/not an Ed25519 cosignature/);
  });

  // c2sp.org/tlog-cosignature: key ID = SHA-256(name ‖ "\n" ‖ 0x04 ‖ public key)[:4]; remora's published vkey carries it.
  it('computes the witness key ID with type 0x04', () => {
    const key = parseVerifierKey(REMORA_VKEY);
    expect(key.type).toBe(SIG_TYPE_COSIGNATURE_V1);
    expect(cosignatureKeyId('remora.n621.de', key.publicKey)).toBe(0xda77ade7);
    expect(formatVerifierKey('remora.n621.de', SIG_TYPE_COSIGNATURE_V1, key.publicKey)).toBe(REMORA_VKEY);
    // The same public key as a plain Ed25519 (0x01) key has another ID, so the two kinds of signature never mix.
    expect(formatVerifierKey('remora.n621.de', SIG_TYPE_ED25519, key.publicKey)).not.toContain('da77ade7');
  });
});

describe('verifying cosignatures', () => {
  // github.com/florolf/tlog-scales tests/test_signing.py TestCheckpointVerification: a real checkpoint of
  // arche2025h1.staging.ct.transparency.dev cosigned by the public witness remora.n621.de, among others.
  it('verifies a real witness cosignature next to the log signature', () => {
    const { note } = openCheckpoint(ARCHE_CHECKPOINT, [
      noteVerifierFromKey(ARCHE_VKEY),
      cosignatureVerifierFromKey(REMORA_VKEY),
    ]);
    expect(note.verified.map((s) => s.name)).toEqual(['arche2025h1.staging.ct.transparency.dev', 'remora.n621.de']);
    expect(cosignatureTimestamp(note.verified[1]!)).toBe(1779573024);
    // The witness alone is enough to open it; a different tree size breaks its signature.
    expect(openNote(ARCHE_CHECKPOINT, [cosignatureVerifierFromKey(REMORA_VKEY)]).verified).toHaveLength(1);
    expect(() =>
      openNote(ARCHE_CHECKPOINT.replace('1432088532', '42'), [cosignatureVerifierFromKey(REMORA_VKEY)]),
    ).toThrow(InvalidSignatureError);
  });

  it('does not take a cosignature for a plain note signature or the reverse', () => {
    // Same public key, type 0x01: another key ID, so remora's line is just an unknown signature.
    const plain = formatVerifierKey('remora.n621.de', SIG_TYPE_ED25519, parseVerifierKey(REMORA_VKEY).publicKey);
    expect(() => openNote(ARCHE_CHECKPOINT, [noteVerifierFromKey(plain)])).toThrow(UnverifiedNoteError);
    expect(() => cosignatureVerifierFromKey(ARCHE_VKEY)).toThrow(/not Ed25519 cosignatures/);
    expect(() => noteVerifierFromKey(REMORA_VKEY)).toThrow(/not Ed25519 note signatures/);
  });
});

describe('cosigning', () => {
  // Fixed keys so the test is reproducible: the log uses the tessera test key, the witness an all-ones seed.
  const LOG_SKEY = 'PRIVATE+KEY+example.com/log/testdata+33d7b496+AeymY/SZAX0jZcJ8enZ5FY1Dz+wTML2yWSkK+9DSF3eg';
  const LOG_VKEY = 'example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx';
  const seed = new Uint8Array(32).fill(1);
  const WITNESS_SKEY = formatSignerKey('witness.example/w1', SIG_TYPE_COSIGNATURE_V1, seed);
  const WITNESS_VKEY = formatVerifierKey('witness.example/w1', SIG_TYPE_COSIGNATURE_V1, ed25519PublicKey(seed));
  const checkpoint = parseCheckpoint('example.com/log/testdata\n3\nWqx3HImawpLnS/Gv4ubjAvi1WIOy0b8Ze0amvqbavKk=\n');

  it('adds a cosignature that verifies, with the time it was made', async () => {
    const signed = await signCheckpoint(checkpoint, [noteSignerFromKey(LOG_SKEY)]);
    const parsed = parseNote(signed);
    const cosigned = await signNote(parsed.text, [cosignerFromKey(WITNESS_SKEY, () => 1700000000)], parsed.signatures);
    expect(cosigned.startsWith(signed)).toBe(true); // the log's line stays first
    const { note } = openCheckpoint(
      cosigned,
      [noteVerifierFromKey(LOG_VKEY), cosignatureVerifierFromKey(WITNESS_VKEY)],
      'example.com/log/testdata',
    );
    expect(note.verified.map((s) => s.name)).toEqual(['example.com/log/testdata', 'witness.example/w1']);
    expect(cosignatureTimestamp(note.verified[1]!)).toBe(1700000000);
    // timestamp (big-endian uint64) ‖ Ed25519 signature, under the 0x04 key ID.
    expect(hex(note.verified[1]!.signature.subarray(0, 8))).toBe('000000006553f100');
    expect(note.verified[1]!.signature).toHaveLength(72);
    expect(note.verified[1]!.keyId).toBe(cosignatureKeyId('witness.example/w1', ed25519PublicKey(seed)));
  });

  it('rejects a cosignature whose timestamp was changed', async () => {
    const text = parseNote(await signCheckpoint(checkpoint, [noteSignerFromKey(LOG_SKEY)])).text;
    const cosigned = await signNote(text, [cosignerFromKey(WITNESS_SKEY, () => 1700000000)]);
    const sig = parseNote(cosigned).signatures[0]!;
    const later = Buffer.from(sig.signature);
    later.writeBigUInt64BE(1700000001n);
    const forged = await signNote(text, [], [{ ...sig, signature: later }]);
    expect(() => openNote(forged, [cosignatureVerifierFromKey(WITNESS_VKEY)])).toThrow(InvalidSignatureError);
    const far = Buffer.from(sig.signature);
    far.writeBigUInt64BE(2n ** 63n - 1n); // allowed by the spec, beyond any real time: refused
    const farNote = await signNote(text, [], [{ ...sig, signature: far }]);
    expect(() => openNote(farNote, [cosignatureVerifierFromKey(WITNESS_VKEY)])).toThrow(InvalidSignatureError);
  });

  it('takes an injected signer, as Cloud KMS would be, and reuses a plain Ed25519 key like transparency-dev/formats', async () => {
    const pkcs8 = createPrivateKey({
      key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
      format: 'der',
      type: 'pkcs8',
    });
    const remote = ed25519Cosigner(
      'witness.example/w1',
      ed25519PublicKey(seed),
      async (m) => cryptoSign(null, m, pkcs8),
      () => 1700000000,
    );
    const local = cosignerFromKey(WITNESS_SKEY, () => 1700000000);
    const text = `${checkpoint.origin}\n3\n${Buffer.from(checkpoint.rootHash).toString('base64')}\n`;
    expect(await signNote(text, [remote])).toBe(await signNote(text, [local]));
    // formats NewSignerForCosignatureV1 accepts a 0x01 signer key and signs with the 0x04 key ID.
    const reused = cosignerFromKey(formatSignerKey('witness.example/w1', SIG_TYPE_ED25519, seed), () => 1700000000);
    expect(await signNote(text, [reused])).toBe(await signNote(text, [local]));
    const broken = ed25519Cosigner('witness.example/w1', ed25519PublicKey(seed), async () => new Uint8Array(64));
    await expect(signNote(text, [broken])).rejects.toThrow(/does not verify/);
  });

  it('only cosigns checkpoints', async () => {
    // transparency-dev/formats formatEd25519CosignatureV1: "cosigned note format invalid" for fewer than three lines.
    await expect(signNote('just a note\n', [cosignerFromKey(WITNESS_SKEY, () => 1)])).rejects.toThrow(
      /malformed checkpoint/,
    );
    expect(() => cosignatureMessage(SOFA, -1)).toThrow(RangeError);
    expect(hex(cosignatureMessage(SOFA, 0)).startsWith(Buffer.from('cosignature/v1\ntime 0\n').toString('hex'))).toBe(
      true,
    );
  });
});
