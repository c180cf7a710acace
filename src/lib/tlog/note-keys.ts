import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { decodeBase64, encodeBase64 } from './base64.js';

/**
 * C2SP signed-note keys (golang.org/x/mod/sumdb/note encodings):
 *   verifier key  <name>+<hex key ID>+base64(type ‖ public key)
 *   signer key    PRIVATE+KEY+<name>+<hex key ID>+base64(type ‖ Ed25519 seed)
 * with key ID = first 4 bytes, big-endian, of SHA-256(name ‖ 0x0A ‖ type ‖ public key).
 */

/** Signature type of plain Ed25519 note signatures. */
export const SIG_TYPE_ED25519 = 0x01;
/** Signature type of Ed25519 cosignature/v1 (c2sp.org/tlog-cosignature). */
export const SIG_TYPE_COSIGNATURE_V1 = 0x04;

const ED25519_KEY_SIZE = 32;

export interface VerifierKey {
  readonly name: string;
  readonly keyId: number;
  readonly type: number;
  readonly publicKey: Uint8Array;
}

export interface SignerKey {
  readonly name: string;
  readonly keyId: number;
  readonly type: number;
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** Key names: non-empty, no Unicode white space, no plus (it separates the vkey fields). */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\p{White_Space}+]/u.test(name) && isWellFormed(name);
}

/** SHA-256(name ‖ "\n" ‖ type ‖ public key)[:4] as a big-endian uint32. */
export function keyId(name: string, type: number, publicKey: Uint8Array): number {
  return createHash('sha256')
    .update(name, 'utf8')
    .update('\n')
    .update(Uint8Array.of(type))
    .update(publicKey)
    .digest()
    .readUInt32BE(0);
}

export function formatKeyId(id: number): string {
  return id.toString(16).padStart(8, '0');
}

export function formatVerifierKey(name: string, type: number, publicKey: Uint8Array): string {
  checkKey(name, type, publicKey);
  return `${name}+${formatKeyId(keyId(name, type, publicKey))}+${encodeBase64(Buffer.concat([Uint8Array.of(type), publicKey]))}`;
}

/** Parses and checks a verifier key: known type, right key length, and a key ID that matches. */
export function parseVerifierKey(vkey: string): VerifierKey {
  const bad = (why: string) => new Error(`malformed verifier key (${why}): ${vkey}`);
  const [name, hex, key64] = cut(vkey, 2);
  if (name === undefined || hex === undefined || key64 === undefined) throw bad('want name+id+key');
  if (!isValidKeyName(name)) throw bad('invalid name');
  if (!/^[0-9a-fA-F]{8}$/.test(hex)) throw bad('key ID is not 8 hex digits');
  const key = decodeBase64(key64);
  if (!key || key.length < 1) throw bad('key is not base64');
  const type = key[0]!;
  const publicKey = key.subarray(1);
  checkKey(name, type, publicKey);
  const id = keyId(name, type, publicKey);
  if (id !== Number.parseInt(hex, 16)) throw bad('key ID does not match the key');
  return { name, keyId: id, type, publicKey };
}

export function formatSignerKey(name: string, type: number, seed: Uint8Array): string {
  const publicKey = ed25519PublicKey(seed);
  checkKey(name, type, publicKey);
  return `PRIVATE+KEY+${name}+${formatKeyId(keyId(name, type, publicKey))}+${encodeBase64(Buffer.concat([Uint8Array.of(type), seed]))}`;
}

/** Parses a signer key; its key ID must be that of the public key the seed derives. */
export function parseSignerKey(skey: string): SignerKey {
  const bad = (why: string) => new Error(`malformed signer key (${why})`); // never echo a private key
  const [p, k, name, hex, key64] = cut(skey, 4);
  if (p !== 'PRIVATE' || k !== 'KEY' || name === undefined || hex === undefined || key64 === undefined)
    throw bad('want PRIVATE+KEY+name+id+key');
  if (!isValidKeyName(name)) throw bad('invalid name');
  if (!/^[0-9a-fA-F]{8}$/.test(hex)) throw bad('key ID is not 8 hex digits');
  const key = decodeBase64(key64);
  if (!key || key.length < 1) throw bad('key is not base64');
  const type = key[0]!;
  const seed = key.subarray(1);
  if (type !== SIG_TYPE_ED25519 && type !== SIG_TYPE_COSIGNATURE_V1) throw bad(`unknown key type ${type}`);
  if (seed.length !== ED25519_KEY_SIZE) throw bad('Ed25519 seed must be 32 bytes');
  const publicKey = ed25519PublicKey(seed);
  const id = keyId(name, type, publicKey);
  if (id !== Number.parseInt(hex, 16)) throw bad('key ID does not match the key');
  return { name, keyId: id, type, seed, publicKey };
}

/** A new Ed25519 key pair, encoded as signer and verifier keys of the given type. */
export function generateKeyPair(
  name: string,
  type: number = SIG_TYPE_ED25519,
): { signerKey: string; verifierKey: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length);
  return {
    signerKey: formatSignerKey(name, type, seed),
    verifierKey: formatVerifierKey(name, type, ed25519PublicKey(seed)),
  };
}

// Ed25519 through node:crypto, which takes keys as DER: fixed prefixes before the raw 32 bytes (RFC 8410).
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function ed25519PublicKey(seed: Uint8Array): Uint8Array {
  return createPublicKey(ed25519PrivateKeyObject(seed))
    .export({ format: 'der', type: 'spki' })
    .subarray(SPKI_PREFIX.length);
}

export function ed25519PrivateKeyObject(seed: Uint8Array): KeyObject {
  if (seed.length !== ED25519_KEY_SIZE) throw new RangeError('Ed25519 seed must be 32 bytes');
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

export function ed25519PublicKeyObject(publicKey: Uint8Array): KeyObject {
  if (publicKey.length !== ED25519_KEY_SIZE) throw new RangeError('Ed25519 public key must be 32 bytes');
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
}

export function ed25519Sign(key: KeyObject, message: Uint8Array): Uint8Array {
  return sign(null, message, key);
}

export function ed25519Verify(key: KeyObject, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  try {
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}

function checkKey(name: string, type: number, publicKey: Uint8Array): void {
  if (!isValidKeyName(name)) throw new Error(`invalid key name ${JSON.stringify(name)}`);
  if (type !== SIG_TYPE_ED25519 && type !== SIG_TYPE_COSIGNATURE_V1) throw new Error(`unsupported key type ${type}`);
  if (publicKey.length !== ED25519_KEY_SIZE) throw new Error('Ed25519 public key must be 32 bytes');
}

/** Splits off the first `n` plus-separated fields; the rest (base64, which may hold '+') is the last. */
function cut(s: string, n: number): (string | undefined)[] {
  const fields: string[] = [];
  let rest = s;
  for (let i = 0; i < n; i++) {
    const at = rest.indexOf('+');
    if (at < 0) return [...fields, rest];
    fields.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  return [...fields, rest];
}

/** No lone UTF-16 surrogates, so the name has a UTF-8 encoding (String.prototype.isWellFormed is ES2024). */
export function isWellFormed(s: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}
