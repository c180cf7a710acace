import { parseCheckpoint } from './checkpoint.js';
import {
  ed25519PrivateKeyObject,
  ed25519PublicKeyObject,
  ed25519Sign,
  ed25519Verify,
  keyId,
  parseSignerKey,
  parseVerifierKey,
  SIG_TYPE_COSIGNATURE_V1,
  SIG_TYPE_ED25519,
} from './note-keys.js';
import type { NoteSignature, NoteSigner, NoteVerifier } from './note.js';

/**
 * C2SP tlog-cosignature, Ed25519 cosignature/v1: a witness's note signature on a checkpoint whose bytes are
 * timestamp (uint64, big-endian, POSIX seconds) ‖ Ed25519 signature of
 * `cosignature/v1\ntime <timestamp>\n<checkpoint text>`, under key ID type 0x04.
 */

const TIMESTAMP_SIZE = 8;
const SIGNATURE_SIZE = TIMESTAMP_SIZE + 64;

export type Clock = () => number;

const unixNow: Clock = () => Math.floor(Date.now() / 1000);

/** The signed message for a checkpoint's text and a timestamp. */
export function cosignatureMessage(checkpointText: string, timestamp: number): Uint8Array {
  checkTimestamp(timestamp);
  parseCheckpoint(checkpointText); // the witness vouches for a checkpoint, so the text must be one
  return Buffer.from(`cosignature/v1\ntime ${timestamp}\n${checkpointText}`, 'utf8');
}

/** SHA-256(name ‖ "\n" ‖ 0x04 ‖ public key)[:4]. */
export function cosignatureKeyId(name: string, publicKey: Uint8Array): number {
  return keyId(name, SIG_TYPE_COSIGNATURE_V1, publicKey);
}

/**
 * A cosigner from a signer key. The key may be typed 0x04, or be a plain Ed25519 (0x01) note key reused as
 * a witness key; either way its cosignatures carry the 0x04 key ID. `now` gives the timestamp to sign.
 */
export function cosignerFromKey(skey: string, now: Clock = unixNow): NoteSigner {
  const key = parseSignerKey(skey);
  if (key.type !== SIG_TYPE_COSIGNATURE_V1 && key.type !== SIG_TYPE_ED25519)
    throw new Error(`signer key type ${key.type} cannot cosign`);
  const privateKey = ed25519PrivateKeyObject(key.seed);
  return ed25519Cosigner(key.name, key.publicKey, async (message) => ed25519Sign(privateKey, message), now);
}

/**
 * A cosigner whose Ed25519 private key lives elsewhere (Cloud KMS): `sign` signs exactly the bytes given.
 * Its note `sign` takes the checkpoint text and returns timestamp ‖ signature; each is checked first.
 */
export function ed25519Cosigner(
  name: string,
  publicKey: Uint8Array,
  sign: (message: Uint8Array) => Promise<Uint8Array>,
  now: Clock = unixNow,
): NoteSigner {
  const verifier = ed25519PublicKeyObject(publicKey);
  return {
    name,
    keyId: cosignatureKeyId(name, publicKey),
    sign: async (text) => {
      const timestamp = now();
      const message = cosignatureMessage(Buffer.from(text).toString('utf8'), timestamp);
      const signature = await sign(message);
      if (!ed25519Verify(verifier, message, signature))
        throw new Error(`cosigner ${name} returned a signature that does not verify under its public key`);
      const out = Buffer.alloc(SIGNATURE_SIZE);
      out.writeBigUInt64BE(BigInt(timestamp));
      out.set(signature, TIMESTAMP_SIZE);
      return out;
    },
  };
}

/** A verifier for cosignatures from a type 0x04 verifier key; it plugs into openNote next to the log's key. */
export function cosignatureVerifierFromKey(vkey: string): NoteVerifier {
  const key = parseVerifierKey(vkey);
  if (key.type !== SIG_TYPE_COSIGNATURE_V1)
    throw new Error(`verifier key has type ${key.type}, not Ed25519 cosignatures (4)`);
  const publicKey = ed25519PublicKeyObject(key.publicKey);
  return {
    name: key.name,
    keyId: key.keyId,
    verify: (text, signature) => {
      const timestamp = readTimestamp(signature);
      if (timestamp === undefined) return false;
      let message: Uint8Array;
      try {
        message = cosignatureMessage(Buffer.from(text).toString('utf8'), timestamp);
      } catch {
        return false; // not a checkpoint: nothing a witness could have signed
      }
      return ed25519Verify(publicKey, message, signature.subarray(TIMESTAMP_SIZE));
    },
  };
}

/** The timestamp of a cosignature (after openNote verified it). */
export function cosignatureTimestamp(sig: NoteSignature): number {
  const timestamp = readTimestamp(sig.signature);
  if (timestamp === undefined) throw new Error(`not an Ed25519 cosignature/v1 signature: ${sig.name}`);
  return timestamp;
}

function readTimestamp(signature: Uint8Array): number | undefined {
  if (signature.length !== SIGNATURE_SIZE) return undefined;
  const t = Buffer.from(signature.buffer, signature.byteOffset, TIMESTAMP_SIZE).readBigUInt64BE(0);
  // The spec caps it at 2^63 - 1; beyond 2^53 (year 285 million) it cannot be a real time either.
  return t <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(t) : undefined;
}

function checkTimestamp(timestamp: number): void {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0)
    throw new RangeError(`cosignature timestamp must be a non-negative safe integer, got ${timestamp}`);
}
