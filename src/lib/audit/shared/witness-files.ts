import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from '../../errors/gwctl-error.js';
import {
  cosignerFromKey,
  formatVerifierKey,
  generateKeyPair,
  parseSignerKey,
  SIG_TYPE_COSIGNATURE_V1,
  type NoteSigner,
} from '../../tlog/index.js';
import type { LogStore } from './log-store.js';
import { publishOnce } from './signers.js';
import type { WitnessState } from './witness.js';

/**
 * The witness's key file: a C2SP signer key of type 0x04 (cosignature/v1). Created on first use (0600) when
 * `name` is given; its verifier key is what the log's operators list under audit.witnesses.
 */
export function witnessKey(
  file: string,
  name?: string,
): { cosigner: NoteSigner; verifierKey: string; created: boolean } {
  let text: string | undefined;
  let created = false;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new UsageError(`--witness-key ${file}: ${(err as Error).message}`);
  }
  if (text === undefined) {
    if (!name) throw new UsageError(`--witness-key ${file} does not exist: pass --name <witness name> to create it`);
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    created = publishOnce(file, `${generateKeyPair(name, SIG_TYPE_COSIGNATURE_V1).signerKey}\n`);
    text = readFileSync(file, 'utf8').trim();
  }
  let key;
  try {
    key = parseSignerKey(text);
  } catch (err) {
    throw new UsageError(`--witness-key ${file}: ${(err as Error).message}`);
  }
  if (name && key.name !== name)
    throw new UsageError(`--witness-key ${file} is the key of "${key.name}", not "${name}"`);
  return {
    cosigner: cosignerFromKey(text),
    verifierKey: formatVerifierKey(key.name, SIG_TYPE_COSIGNATURE_V1, key.publicKey),
    created,
  };
}

/** The witness's last cosigned checkpoint in a local file (replaced atomically). */
export function fileWitnessState(file: string): WitnessState {
  return {
    load: async () => {
      try {
        return readFileSync(file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
    save: async (note) => {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      writeFileSync(`${file}.tmp`, note, { mode: 0o600 });
      renameSync(`${file}.tmp`, file);
    },
  };
}

/** The witness's last cosigned checkpoint as an object in its own bucket (a CronJob's pod keeps nothing). */
export function objectWitnessState(store: LogStore, name: string): WitnessState {
  return {
    load: async () => {
      const o = await store.get(name);
      return o ? Buffer.from(o.data).toString('utf8') : undefined;
    },
    save: async (note) => {
      await store.put(name, Buffer.from(note), { contentType: 'text/plain; charset=utf-8' });
    },
  };
}
