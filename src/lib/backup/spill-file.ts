import { closeSync, mkdtempSync, openSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Reads kept, for reads that come back to the same stretch (copies go through the listing in order). */
const CACHED_READS = 8;

/**
 * A scratch file for what would not fit in memory at a million objects (the manifest lines of a
 * listing). It is private and leaves nothing behind: created mode 0600 in a directory of its own (0700),
 * then its name is removed at once, so the open descriptor is its only way in and the kernel frees it
 * when the descriptor closes, however the process ends (kill -9 and OOM kills included).
 */
export class SpillFile {
  private fd: number | undefined;
  private end = 0;
  private readonly cache = new Map<number, Buffer>();

  constructor(prefix = 'gwctl-spill-') {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    const path = join(dir, 'data');
    try {
      this.fd = openSync(path, 'wx+', 0o600);
      try {
        unlinkSync(path);
      } catch (err) {
        this.close();
        throw err;
      }
    } finally {
      // Whatever failed (EMFILE, ENOSPC), that error is the one thrown: this clean-up never hides it.
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** The descriptor (tests check its mode and that it is closed). */
  get descriptor(): number | undefined {
    return this.fd;
  }

  /** Appends `data`; where it starts. */
  append(data: Buffer): number {
    const at = this.end;
    for (let done = 0; done < data.length;) done += writeSync(this.open(), data, done, data.length - done, at + done);
    this.end += data.length;
    return at;
  }

  /** The `length` bytes at `at`, as appended. */
  read(at: number, length: number): Buffer {
    const cached = this.cache.get(at);
    if (cached && cached.length === length) return cached;
    const out = Buffer.allocUnsafe(length);
    for (let done = 0; done < length;) {
      const n = readSync(this.open(), out, done, length - done, at + done);
      if (n === 0) throw new Error(`spill file ends at ${at + done}, before ${at + length}`);
      done += n;
    }
    if (this.cache.size >= CACHED_READS) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(at, out);
    return out;
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
    this.cache.clear();
  }

  private open(): number {
    if (this.fd === undefined) throw new Error('spill file used after it was closed');
    return this.fd;
  }
}
