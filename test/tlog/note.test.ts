import { createPrivateKey, sign as cryptoSign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ed25519PublicKey,
  formatSignerKey,
  formatVerifierKey,
  generateKeyPair,
  keyId,
  parseSignerKey,
  parseVerifierKey,
  SIG_TYPE_ED25519,
} from '../../src/lib/tlog/note-keys.js';
import {
  ed25519NoteSigner,
  InvalidSignatureError,
  noteSignerFromKey,
  noteVerifierFromKey,
  openNote,
  parseNote,
  signNote,
  UnverifiedNoteError,
  type NoteSigner,
} from '../../src/lib/tlog/note.js';
import { b64, hex } from './helpers.js';

// golang.org/x/mod/sumdb/note note_test.go and example_test.go
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIG =
  '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const ENOCH_SIG =
  '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';

/** Every proper substring and every one-byte increment of a key (note_test.go TestNewVerifier / TestNewSigner). */
function manglings(key: string): string[] {
  const b = Buffer.from(key);
  const out: string[] = [];
  for (let i = 0; i <= b.length; i++)
    for (let j = i + 1; j <= b.length; j++)
      if (i !== 0 || j !== b.length) out.push(b.subarray(i, j).toString('latin1'));
  for (let i = 0; i < b.length; i++) {
    const c = Buffer.from(b);
    c[i]! += 1;
    out.push(c.toString('latin1'));
  }
  return out;
}

describe('note keys', () => {
  // note_test.go TestNewVerifier
  it('parses the PeterNeumann verifier key and no mangling of it', () => {
    expect(parseVerifierKey(PETER_VKEY)).toMatchObject({
      name: 'PeterNeumann',
      keyId: 0xc74f20a3,
      type: SIG_TYPE_ED25519,
    });
    for (const bad of manglings(PETER_VKEY)) expect(() => parseVerifierKey(bad), bad).toThrow();
    expect(() =>
      parseVerifierKey('PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=='),
    ).toThrow(); // wrong length, adjusted hash
    expect(() => parseVerifierKey('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW')).toThrow(); // unknown algorithm, adjusted hash
  });

  // note_test.go TestNewSigner
  it('parses the PeterNeumann signer key and no mangling of it', () => {
    const key = parseSignerKey(PETER_SKEY);
    expect(key).toMatchObject({ name: 'PeterNeumann', keyId: 0xc74f20a3, type: SIG_TYPE_ED25519 });
    // The seed derives the verifier key's public key.
    expect(formatVerifierKey(key.name, key.type, key.publicKey)).toBe(PETER_VKEY);
    for (const bad of manglings(PETER_SKEY)) expect(() => parseSignerKey(bad), bad).toThrow();
  });

  // example_test.go ExampleSign_add_signatures: GenerateKey(zeroReader, "EnochRoot") has the all-zero seed, and
  // note_test.go TestOpen gives its verifier key.
  it('encodes the all-zero seed as Go does', () => {
    const seed = new Uint8Array(32);
    expect(formatVerifierKey('EnochRoot', SIG_TYPE_ED25519, ed25519PublicKey(seed))).toBe(ENOCH_VKEY);
    expect(parseSignerKey(formatSignerKey('EnochRoot', SIG_TYPE_ED25519, seed))).toMatchObject({
      name: 'EnochRoot',
      keyId: 0xaf0cfe78,
    });
  });

  // c2sp.org/signed-note: example verifier key; the Ed25519 key ID is SHA-256(name ‖ 0x0A ‖ 0x01 ‖ key)[:4].
  it('computes the spec example key ID', () => {
    const key = parseVerifierKey('example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k');
    // github.com/florolf/tlog-scales tests/test_signing.py TestC2SPSignedNote.test_parsing: the raw public key.
    expect(hex(key.publicKey)).toBe('e932791ae6e7a840a46164c904786426d5e7821dd8b29a00d61cae72afdd4da4');
    expect(keyId('example.com/foo', 1, key.publicKey)).toBe(0x530d903a);
  });

  // note_test.go TestGenerateKey
  it('generates key pairs that sign and verify', async () => {
    const { signerKey, verifierKey } = generateKeyPair('EnochRoot');
    const signer = noteSignerFromKey(signerKey);
    const verifier = noteVerifierFromKey(verifierKey);
    expect([signer.name, signer.keyId]).toEqual([verifier.name, verifier.keyId]);
    const sig = await signer.sign(Buffer.from('hi'));
    expect(verifier.verify(Buffer.from('hi'), sig)).toBe(true);
    expect(verifier.verify(Buffer.from('hj'), sig)).toBe(false);
    sig[0]! ^= 1;
    expect(verifier.verify(Buffer.from('hi'), sig)).toBe(false);
  });

  it('refuses names the format cannot carry', () => {
    const pub = ed25519PublicKey(new Uint8Array(32));
    for (const name of ['', 'a+b', 'a b', 'a\tb', 'a\u00a0b', 'a\u2028b', '\ud800'])
      expect(() => formatVerifierKey(name, 1, pub), JSON.stringify(name)).toThrow();
  });
});

describe('signNote', () => {
  // note_test.go TestSign / example_test.go ExampleSign
  it('signs as Go does, byte for byte', async () => {
    expect(await signNote(TEXT, [noteSignerFromKey(PETER_SKEY)])).toBe(`${TEXT}\n${PETER_SIG}`);
  });

  // note_test.go TestSign "Check that existing signature is replaced by new one"
  it('replaces an existing signature by the same key', async () => {
    const stale = { name: 'PeterNeumann', keyId: 0xc74f20a3, signature: b64('BADSIGN=') };
    expect(await signNote(TEXT, [noteSignerFromKey(PETER_SKEY)], [stale])).toBe(`${TEXT}\n${PETER_SIG}`);
  });

  // example_test.go ExampleSign_add_signatures: existing signatures first, new ones after.
  it('adds a signature after the existing ones', async () => {
    const enoch = noteSignerFromKey(formatSignerKey('EnochRoot', SIG_TYPE_ED25519, new Uint8Array(32)));
    const opened = openNote(`${TEXT}\n${PETER_SIG}`, [noteVerifierFromKey(PETER_VKEY)]);
    expect(await signNote(opened.text, [enoch], opened.verified)).toBe(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`);
  });

  // note_test.go TestSign "Check various bad inputs"
  it('refuses bad inputs', async () => {
    const peter = noteSignerFromKey(PETER_SKEY);
    await expect(signNote('abc', [peter])).rejects.toThrow(/malformed note/);
    await expect(signNote(TEXT, [], [{ name: 'a+b', keyId: 0, signature: b64('ABCD') }])).rejects.toThrow(
      /invalid key name/,
    );
    await expect(signNote(TEXT, [{ ...peter, name: 'bad name' }])).rejects.toThrow(/invalid signer/);
    const failing: NoteSigner = {
      name: 'PeterNeumann',
      keyId: 0xc74f20a3,
      sign: () => Promise.reject(new Error('surprise!')),
    };
    await expect(signNote(TEXT, [failing])).rejects.toThrow('surprise!');
    await expect(signNote('a\u0001b\n', [peter])).rejects.toThrow(/control character/);
  });

  it('takes an injected signer, as Cloud KMS would be, and checks what it returns', async () => {
    const seed = parseSignerKey(PETER_SKEY).seed;
    const pkcs8 = createPrivateKey({
      key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
      format: 'der',
      type: 'pkcs8',
    });
    const remote = ed25519NoteSigner('PeterNeumann', ed25519PublicKey(seed), async (message) =>
      cryptoSign(null, message, pkcs8),
    );
    expect(remote.keyId).toBe(0xc74f20a3);
    expect(await signNote(TEXT, [remote])).toBe(`${TEXT}\n${PETER_SIG}`);
    const wrongKey = ed25519NoteSigner('PeterNeumann', ed25519PublicKey(seed), async () => new Uint8Array(64));
    await expect(signNote(TEXT, [wrongKey])).rejects.toThrow(/does not verify/);
  });
});

describe('openNote', () => {
  const peter = noteVerifierFromKey(PETER_VKEY);
  const enoch = noteVerifierFromKey(ENOCH_VKEY);
  const peterSig = {
    name: 'PeterNeumann',
    keyId: 0xc74f20a3,
    signature: b64(
      'x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=',
    ).subarray(4),
  };
  const enochSig = {
    name: 'EnochRoot',
    keyId: 0xaf0cfe78,
    signature: b64(
      'rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=',
    ).subarray(4),
  };
  const same = (a: { name: string; keyId: number; signature: Uint8Array }[]) =>
    a.map((s) => `${s.name}/${s.keyId}/${hex(s.signature)}`);

  // note_test.go TestOpen, case by case
  it('verifies known keys and sets the others aside', () => {
    const one = openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, [peter]);
    expect(one.text).toBe(TEXT);
    expect(same(one.verified)).toEqual(same([peterSig]));
    expect(same(one.unverified)).toEqual(same([enochSig]));
    const both = openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, [peter, enoch]);
    expect(same(both.verified)).toEqual(same([peterSig, enochSig]));
    expect(both.unverified).toEqual([]);
  });

  it('rejects a note with no verifiable signature, keeping it for inspection', () => {
    let caught: unknown;
    try {
      openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, []);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UnverifiedNoteError);
    expect((caught as Error).message).toBe('note has no verifiable signatures');
    expect(same((caught as UnverifiedNoteError).note.unverified)).toEqual(same([peterSig, enochSig]));
  });

  it('refuses an ambiguous verifier list only when it matters', () => {
    expect(() => openNote(`${TEXT}\n${ENOCH_SIG}`, [enoch, peter, enoch])).toThrow('ambiguous key EnochRoot+af0cfe78');
    expect(openNote(`${TEXT}\n${PETER_SIG}`, [enoch, peter, enoch]).verified).toHaveLength(1);
  });

  it('limits the number of signatures', () => {
    expect(() => openNote(`${TEXT}\n${PETER_SIG.repeat(101)}`, [peter])).toThrow(/malformed note/);
    expect(() => openNote(`${TEXT}\n${PETER_SIG.repeat(101)}`, [])).toThrow(/malformed note/);
  });

  it('rejects the whole note when a known key did not sign it', () => {
    const bad = `${TEXT}\n${PETER_SIG.slice(0, 60)}ABCD${PETER_SIG.slice(60)}`;
    expect(() => openNote(bad, [peter])).toThrow(InvalidSignatureError);
    expect(() => openNote(bad, [peter])).toThrow('invalid signature for key PeterNeumann+c74f20a3');
  });

  it('drops repeated signatures', () => {
    const enochABCD = `${ENOCH_SIG.slice(0, 60)}ABCD${ENOCH_SIG.slice(60)}`;
    const n = openNote(`${TEXT}\n${PETER_SIG}${PETER_SIG}${ENOCH_SIG}${ENOCH_SIG}${enochABCD}`, [peter]);
    expect(same(n.verified)).toEqual(same([peterSig]));
    expect(n.unverified.map((s) => s.name)).toEqual(['EnochRoot', 'EnochRoot']);
  });

  it.each([
    ['text only', TEXT],
    ['no signature after the blank line', `${TEXT}\n`],
    ['last line unterminated', `${TEXT}\n${PETER_SIG.slice(0, -1)}`],
    ['control character', `\u0001${TEXT}\n${PETER_SIG}`],
    [
      'bad name',
      `${TEXT}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=`,
    ],
    ['stray line', `${TEXT}\n${PETER_SIG}Unexpected line.\n`],
  ])('rejects a malformed note: %s', (_why, msg) => {
    expect(() => openNote(msg, [peter])).toThrow(/malformed note/);
  });

  it('rejects bytes that are not UTF-8', () => {
    // note_test.go TestOpen: "\xff" + text …
    expect(() => openNote(Buffer.concat([Uint8Array.of(0xff), Buffer.from(`${TEXT}\n${PETER_SIG}`)]), [peter])).toThrow(
      /not UTF-8/,
    );
    expect(openNote(Buffer.from(`${TEXT}\n${PETER_SIG}`), [peter]).text).toBe(TEXT);
  });

  it('rejects non-canonical base64 in a signature line', () => {
    // The last character 'M' encodes bits that fall off the end; 'N' is the same bytes spelled differently.
    expect(() => parseNote(`${TEXT}\n${PETER_SIG.replace('AM=', 'AN=')}`)).toThrow(/bad signature line/);
    expect(() => parseNote(`${TEXT}\n${PETER_SIG.replace('=\n', '\n')}`)).toThrow(/bad signature line/);
  });

  // c2sp.org/signed-note "Example": this verifier key verifies this note.
  it('opens the spec example', () => {
    const v = noteVerifierFromKey('example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k');
    const msg =
      'This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';
    expect(openNote(msg, [v]).text).toBe('This is an example message.\n');
    expect(() => openNote(msg.replace('an example', 'an Example'), [v])).toThrow(InvalidSignatureError);
  });

  // c2sp.org/signed-note: the text may hold blank lines; it ends at the last one.
  it('splits at the last blank line, as the spec example does', () => {
    const msg =
      'Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n\n— quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n';
    const n = parseNote(msg);
    expect(n.text).toBe('Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n');
    expect(n.signatures.map((s) => [s.name, s.keyId.toString(16), s.signature.length])).toEqual([
      ['quasimodo.example/salvatore', '367ba04b', 64],
    ]);
  });
});
