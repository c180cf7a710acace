import { decodeBase64, encodeBase64 } from './base64.js';
import { assertHash, assertSize } from './merkle.js';
import { checkText, openNote, signNote, type NoteSigner, type NoteVerifier, type OpenedNote } from './note.js';

/**
 * C2SP tlog-checkpoint: the note text `<origin>\n<tree size>\n<base64 root hash>\n[<extension>\n…]`.
 */
export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Uint8Array;
  /** Opaque, non-empty lines after the root hash; not recommended by the spec, but signed. */
  readonly extensions?: readonly string[];
}

export function formatCheckpoint(checkpoint: Checkpoint): string {
  const { origin, size, rootHash, extensions = [] } = checkpoint;
  if (origin === '' || origin.includes('\n')) throw new Error('checkpoint origin must be one non-empty line');
  assertSize(size, 'tree size');
  assertHash(rootHash, 'root hash');
  for (const line of extensions)
    if (line === '' || line.includes('\n'))
      throw new Error('checkpoint extension lines must be non-empty single lines');
  const text = [origin, String(size), encodeBase64(rootHash), ...extensions].map((line) => `${line}\n`).join('');
  checkText(text);
  return text;
}

/** Parses checkpoint text (a note's text, without signatures). */
export function parseCheckpoint(text: string): Checkpoint {
  const bad = (why: string) => new Error(`malformed checkpoint: ${why}`);
  if (!text.endsWith('\n')) throw bad('text must end with a newline');
  const [origin, sizeLine, hashLine, ...extensions] = text.slice(0, -1).split('\n');
  if (origin === undefined || sizeLine === undefined || hashLine === undefined)
    throw bad('want origin, size and root hash lines');
  if (origin === '') throw bad('empty origin');
  // Decimal without leading zeros, so a size has one spelling.
  if (!/^(?:0|[1-9][0-9]*)$/.test(sizeLine)) throw bad(`tree size ${JSON.stringify(sizeLine)} is not a decimal number`);
  const size = Number(sizeLine);
  if (!Number.isSafeInteger(size)) throw bad(`tree size ${sizeLine} is too large`);
  const rootHash = decodeBase64(hashLine);
  if (!rootHash || rootHash.length !== 32) throw bad('root hash is not 32 bytes of base64');
  if (extensions.some((line) => line === '')) throw bad('empty extension line');
  checkText(text);
  return extensions.length > 0 ? { origin, size, rootHash, extensions } : { origin, size, rootHash };
}

export async function signCheckpoint(checkpoint: Checkpoint, signers: readonly NoteSigner[]): Promise<string> {
  return signNote(formatCheckpoint(checkpoint), signers);
}

/**
 * Opens a signed checkpoint: the note must verify (see openNote) and, when `origin` is given, name that
 * log, so a checkpoint of another log signed by a shared key is not mistaken for this one.
 */
export function openCheckpoint(
  msg: string | Uint8Array,
  verifiers: readonly NoteVerifier[],
  origin?: string,
): { checkpoint: Checkpoint; note: OpenedNote } {
  const note = openNote(msg, verifiers);
  const checkpoint = parseCheckpoint(note.text);
  if (origin !== undefined && checkpoint.origin !== origin)
    throw new Error(`checkpoint is for ${JSON.stringify(checkpoint.origin)}, not ${JSON.stringify(origin)}`);
  return { checkpoint, note };
}
