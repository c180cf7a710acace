import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from '../../errors/gwctl-error.js';
import {
  ed25519NoteSigner,
  formatVerifierKey,
  generateKeyPair,
  noteSignerFromKey,
  noteVerifierFromKey,
  parseSignerKey,
  SIG_TYPE_ED25519,
  type NoteSigner,
  type NoteVerifier,
} from '../../tlog/index.js';

/** A log's checkpoint key: its public half (always at hand) and a way to sign (a file read, or Cloud KMS). */
export interface LogKey {
  /** `<name>+<hex key id>+<base64(0x01 ‖ public key)>`, what third parties verify with. */
  verifierKey: string;
  verifier: NoteVerifier;
  signer: () => Promise<NoteSigner>;
  /** For `env show` and messages: where the private key is. */
  describe: string;
}

/** Signs exactly the bytes it gets with an Ed25519 key held elsewhere (Cloud KMS asymmetricSign). */
export interface RemoteEd25519 {
  publicKey: Uint8Array;
  sign(message: Uint8Array): Promise<Uint8Array>;
  describe: string;
}

/** The key in a signer-key file (`PRIVATE+KEY+…`); undefined when the file does not exist. */
export function readKeyFile(file: string, origin: string): LogKey | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`audit signing key ${file} cannot be read: ${(err as Error).message}`);
  }
  let key;
  try {
    key = parseSignerKey(text);
  } catch (err) {
    throw new UsageError(`audit signing key ${file}: ${(err as Error).message}`);
  }
  if (key.type !== SIG_TYPE_ED25519 || key.name !== origin)
    throw new UsageError(
      `audit signing key ${file} is ${key.type !== SIG_TYPE_ED25519 ? 'not an Ed25519 note key' : `for "${key.name}"`}, not for the log "${origin}"`,
    );
  const verifierKey = formatVerifierKey(key.name, SIG_TYPE_ED25519, key.publicKey);
  const signer = noteSignerFromKey(text);
  return {
    verifierKey,
    verifier: noteVerifierFromKey(verifierKey),
    signer: async () => signer,
    describe: `key file ${file}`,
  };
}

/**
 * Creates the key file (0600, its folder 0700) for a new log. Exclusive: when two gwctl processes race, one
 * creates it and both use that one.
 */
export function createKeyFile(file: string, origin: string): LogKey {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  publishOnce(file, `${generateKeyPair(origin).signerKey}\n`);
  return readKeyFile(file, origin)!;
}

/**
 * Writes `file` whole or not at all, only if it does not exist: written aside, then hard-linked into place
 * (atomic, and EEXIST when another process got there first). A reader never sees a half-written key.
 */
export function publishOnce(file: string, text: string): boolean {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  try {
    linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return false;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** A key held by Cloud KMS: nobody holds the private half; gwctl asks KMS to sign each checkpoint. */
export function remoteLogKey(origin: string, remote: RemoteEd25519): LogKey {
  const verifierKey = formatVerifierKey(origin, SIG_TYPE_ED25519, remote.publicKey);
  const signer = ed25519NoteSigner(origin, remote.publicKey, (m) => remote.sign(m));
  return {
    verifierKey,
    verifier: noteVerifierFromKey(verifierKey),
    signer: async () => signer,
    describe: remote.describe,
  };
}
