import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SeenCheckpoint, SeenCheckpoints } from './shared-log.js';

/**
 * The last checkpoint this machine saw of a log, in `<dir>/checkpoint` (the note as the log served it) and
 * `<dir>/compact-range.json` (its subtree hashes, to say where a rewrite happened). Replaced atomically;
 * a smaller checkpoint never replaces a larger one.
 */
export class SeenCheckpointFile implements SeenCheckpoints {
  constructor(readonly dir: string) {}

  load(): SeenCheckpoint | undefined {
    try {
      const note = readFileSync(join(this.dir, 'checkpoint'), 'utf8');
      let nodes: string[] | undefined;
      try {
        const parsed = JSON.parse(readFileSync(join(this.dir, 'compact-range.json'), 'utf8')) as { nodes?: unknown };
        if (Array.isArray(parsed.nodes) && parsed.nodes.every((n) => typeof n === 'string')) nodes = parsed.nodes;
      } catch {
        // Only used to say where a rewrite happened.
      }
      return { note, ...(nodes ? { nodes } : {}) };
    } catch {
      return undefined;
    }
  }

  save(seen: SeenCheckpoint, size: number): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    if (this.savedSize() > size) return; // another gwctl on this machine saw further

    const tmp = `.tmp-${process.pid}`;
    writeFileSync(join(this.dir, `compact-range.json${tmp}`), JSON.stringify({ size, nodes: seen.nodes ?? [] }));
    writeFileSync(join(this.dir, `checkpoint${tmp}`), seen.note);
    // The range first: a reader that finds a new checkpoint with an old range only fails to locate a rewrite.
    renameSync(join(this.dir, `compact-range.json${tmp}`), join(this.dir, 'compact-range.json'));
    renameSync(join(this.dir, `checkpoint${tmp}`), join(this.dir, 'checkpoint'));
  }

  private savedSize(): number {
    try {
      const { size } = JSON.parse(readFileSync(join(this.dir, 'compact-range.json'), 'utf8')) as { size?: unknown };
      return typeof size === 'number' ? size : -1;
    } catch {
      return -1;
    }
  }
}
