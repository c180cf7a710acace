import {
  cosignatureTimestamp,
  encodeBase64,
  openNote,
  parseCheckpoint,
  parseNote,
  type NoteVerifier,
} from '../../tlog/index.js';
import type { LogStore } from './log-store.js';

/**
 * Witnesses publish next to the checkpoint: `<prefix>cosignature/<witness key name>` holds the last checkpoint
 * that witness cosigned, as a signed note carrying the log's signature and the witness's C2SP tlog-cosignature
 * (cosignature/v1) line. Any note reader can check either signature; the witness replaces its own object only.
 */
export const COSIGNATURE_DIR = 'cosignature/';

export const cosignaturePath = (witness: string) => `${COSIGNATURE_DIR}${witness}`;

export interface Cosigned {
  witness: string;
  /** Size of the checkpoint it cosigned. */
  size: number;
  /** Root hash of the checkpoint it cosigned (base64): the log's tree at `size` must still have it. */
  rootHash?: string;
  /** Origin line of the checkpoint it cosigned. */
  origin?: string;
  /** Whether it cosigned the latest checkpoint (the same text). */
  latest: boolean;
  /** Checked with the witness's key from gwctl.yaml; false: listed, but no key here to check it. */
  verified: boolean;
  /** When it cosigned (POSIX seconds, from the cosignature). */
  timestamp?: number;
  problem?: string;
}

/** Every witness's published cosignature, checked against `witnesses` where their keys are known. */
export async function readCosignatures(
  store: LogStore,
  latestNote: string,
  witnesses: readonly NoteVerifier[],
): Promise<Cosigned[]> {
  const latestText = latestNote ? safeText(latestNote) : undefined;
  const listed = await store.list(COSIGNATURE_DIR);
  return Promise.all(
    listed.map(async ({ name }) => {
      const witness = name.slice(COSIGNATURE_DIR.length);
      const object = await store.get(name);
      const note = object ? Buffer.from(object.data).toString('utf8') : '';
      try {
        const { text } = parseNote(note);
        const { size, rootHash, origin } = parseCheckpoint(text);
        const base = { witness, size, rootHash: encodeBase64(rootHash), origin, latest: text === latestText };
        const known = witnesses.filter((w) => w.name === witness);
        if (known.length === 0) return { ...base, verified: false };
        const opened = openNote(note, known);
        const sig = opened.verified[0]!;
        return { ...base, verified: true, timestamp: cosignatureTimestamp(sig) };
      } catch (err) {
        return { witness, size: 0, latest: false, verified: false, problem: (err as Error).message };
      }
    }),
  );
}

function safeText(note: string): string | undefined {
  try {
    return parseNote(note).text;
  } catch {
    return undefined;
  }
}
