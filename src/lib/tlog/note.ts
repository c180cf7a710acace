import { decodeBase64, encodeBase64 } from './base64.js';
import {
  ed25519PrivateKeyObject,
  ed25519PublicKeyObject,
  ed25519Sign,
  ed25519Verify,
  formatKeyId,
  isValidKeyName,
  isWellFormed,
  keyId,
  parseSignerKey,
  parseVerifierKey,
  SIG_TYPE_ED25519,
} from './note-keys.js';

/**
 * C2SP signed-note (golang.org/x/mod/sumdb/note): a text ending in a newline, a blank line, then lines
 * `— <key name> base64(key ID ‖ signature)`.
 */

/** Signs a note's text; `sign` may be remote (Cloud KMS), hence async. */
export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  sign(text: Uint8Array): Promise<Uint8Array>;
}

export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  verify(text: Uint8Array, signature: Uint8Array): boolean;
}

/** One signature line; `signature` is what follows the 4-byte key ID. */
export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  readonly signature: Uint8Array;
}

export interface ParsedNote {
  readonly text: string;
  readonly signatures: NoteSignature[];
}

export interface OpenedNote {
  readonly text: string;
  /** By known keys, each checked; one per key. */
  readonly verified: NoteSignature[];
  /** By keys not given, ignored as the spec requires; identical lines once. */
  readonly unverified: NoteSignature[];
}

/** A well-formed note none of whose signatures is by a given key; `note` lets callers inspect it anyway. */
export class UnverifiedNoteError extends Error {
  constructor(readonly note: OpenedNote) {
    super('note has no verifiable signatures');
  }
}

/** A signature by a known key that does not verify: the whole note is rejected. */
export class InvalidSignatureError extends Error {
  constructor(
    readonly keyName: string,
    readonly keyId: number,
  ) {
    super(`invalid signature for key ${keyName}+${formatKeyId(keyId)}`);
  }
}

/** Go's note package stops there; the spec requires accepting at least 16. */
export const MAX_SIGNATURES = 100;

const SIG_PREFIX = '\u2014 '; // em dash, space

export function formatSignatureLine(sig: NoteSignature): string {
  if (!isValidKeyName(sig.name)) throw new Error(`invalid key name ${JSON.stringify(sig.name)}`);
  const id = Buffer.alloc(4);
  id.writeUInt32BE(sig.keyId);
  return `${SIG_PREFIX}${sig.name} ${encodeBase64(Buffer.concat([id, sig.signature]))}\n`;
}

/** Splits a note into text and signature lines, checking only syntax. */
export function parseNote(msg: string | Uint8Array): ParsedNote {
  const note = toText(msg);
  // The text ends at the last blank line; it may itself contain blank lines.
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw malformed('no blank line before the signatures');
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (block === '' || !block.endsWith('\n')) throw malformed('signatures must be newline-terminated lines');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw malformed(`more than ${MAX_SIGNATURES} signatures`);
  const signatures = lines.map((line) => {
    if (!line.startsWith(SIG_PREFIX)) throw malformed('a signature line must start with an em dash and a space');
    const rest = line.slice(SIG_PREFIX.length);
    const space = rest.indexOf(' ');
    const name = space < 0 ? rest : rest.slice(0, space);
    const raw = space < 0 ? undefined : decodeBase64(rest.slice(space + 1));
    if (!isValidKeyName(name) || !raw || raw.length < 5) throw malformed('bad signature line');
    return { name, keyId: Buffer.from(raw.buffer, raw.byteOffset, 4).readUInt32BE(0), signature: raw.subarray(4) };
  });
  return { text, signatures };
}

/**
 * Opens a note with the given verifiers, by the rules of c2sp.org/signed-note: signatures by other keys (a key
 * is a name and key ID pair) are ignored; one that matches a verifier must verify, or the note is rejected; at
 * least one must verify. Throws UnverifiedNoteError when none is by a given key.
 */
export function openNote(msg: string | Uint8Array, verifiers: readonly NoteVerifier[]): OpenedNote {
  const { text, signatures } = parseNote(msg);
  const textBytes = Buffer.from(text, 'utf8');
  const verified: NoteSignature[] = [];
  const unverified: NoteSignature[] = [];
  const seen = new Set<string>();
  const seenUnverified = new Set<string>();
  for (const sig of signatures) {
    const matches = verifiers.filter((v) => v.name === sig.name && v.keyId === sig.keyId);
    const k = `${sig.name}+${formatKeyId(sig.keyId)}`;
    if (matches.length === 0) {
      const line = formatSignatureLine(sig);
      if (!seenUnverified.has(line)) unverified.push(sig);
      seenUnverified.add(line);
      continue;
    }
    // Two verifiers for one key means a misconfigured trust list: refuse to guess.
    if (matches.length > 1) throw new Error(`ambiguous key ${k}`);
    if (seen.has(k)) continue;
    seen.add(k);
    if (!matches[0]!.verify(textBytes, sig.signature)) throw new InvalidSignatureError(sig.name, sig.keyId);
    verified.push(sig);
  }
  if (verified.length === 0) throw new UnverifiedNoteError({ text, verified, unverified });
  return { text, verified, unverified };
}

/**
 * Signs `text` (which must end with a newline) and returns the note. Signatures in `existing` are kept,
 * first, unless one of the signers uses the same key, whose new signature replaces it (as Go's note.Sign).
 */
export async function signNote(
  text: string,
  signers: readonly NoteSigner[],
  existing: readonly NoteSignature[] = [],
): Promise<string> {
  checkText(text);
  const textBytes = Buffer.from(text, 'utf8');
  const replaced = new Set(signers.map((s) => `${s.name}+${s.keyId}`));
  const kept = existing.filter((sig) => !replaced.has(`${sig.name}+${sig.keyId}`)).map(formatSignatureLine);
  const added = await Promise.all(
    signers.map(async (s) => {
      if (!isValidKeyName(s.name)) throw new Error(`invalid signer name ${JSON.stringify(s.name)}`);
      return formatSignatureLine({ name: s.name, keyId: s.keyId, signature: await s.sign(textBytes) });
    }),
  );
  return `${text}\n${[...kept, ...added].join('')}`;
}

/** An Ed25519 (type 0x01) note signer from a `PRIVATE+KEY+…` signer key. */
export function noteSignerFromKey(skey: string): NoteSigner {
  const key = parseSignerKey(skey);
  if (key.type !== SIG_TYPE_ED25519)
    throw new Error(`signer key has type ${key.type}, not Ed25519 note signatures (1)`);
  const privateKey = ed25519PrivateKeyObject(key.seed);
  return { name: key.name, keyId: key.keyId, sign: async (text) => ed25519Sign(privateKey, text) };
}

/**
 * An Ed25519 note signer whose private key lives elsewhere (Cloud KMS): `sign` returns the 64-byte Ed25519
 * signature of exactly the bytes it is given. Each signature is checked against `publicKey` before use, so
 * a misconfigured key fails here rather than in every verifier.
 */
export function ed25519NoteSigner(
  name: string,
  publicKey: Uint8Array,
  sign: (message: Uint8Array) => Promise<Uint8Array>,
): NoteSigner {
  const verifier = ed25519PublicKeyObject(publicKey);
  return {
    name,
    keyId: keyId(name, SIG_TYPE_ED25519, publicKey),
    sign: async (text) => {
      const signature = await sign(text);
      if (!ed25519Verify(verifier, text, signature))
        throw new Error(`signer for ${name} returned a signature that does not verify under its public key`);
      return signature;
    },
  };
}

/** An Ed25519 (type 0x01) note verifier from a verifier key. */
export function noteVerifierFromKey(vkey: string): NoteVerifier {
  const key = parseVerifierKey(vkey);
  if (key.type !== SIG_TYPE_ED25519)
    throw new Error(`verifier key has type ${key.type}, not Ed25519 note signatures (1)`);
  const publicKey = ed25519PublicKeyObject(key.publicKey);
  return { name: key.name, keyId: key.keyId, verify: (text, signature) => ed25519Verify(publicKey, text, signature) };
}

/** Note text: ends with a newline, valid Unicode, no control characters but newline. */
export function checkText(text: string): void {
  if (!text.endsWith('\n')) throw malformed('text must end with a newline');
  checkCharacters(text);
}

function toText(msg: string | Uint8Array): string {
  let text: string;
  if (typeof msg === 'string') text = msg;
  else {
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(msg);
    } catch {
      throw malformed('not UTF-8');
    }
  }
  checkCharacters(text);
  return text;
}

function checkCharacters(text: string): void {
  if (!isWellFormed(text)) throw malformed('not valid Unicode');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0009\u000b-\u001f]/.test(text)) throw malformed('control character');
}

function malformed(why: string): Error {
  return new Error(`malformed note: ${why}`);
}
